"""What rare-class oversampling does to rare-class F1, on synthetic data (not a speed benchmark, not in run_all).

A 1,000-image synthetic set at 64 px (label sets drawn from the real train.csv, so the real imbalance), fold 0
held out. ResNet-18 from scratch, BCE, 1 warm-up + 8 epochs at lr 1e-2: uniform sampling, `oversample=True`
(weighted sampler), `oversample='copies'` (the seed's 11 extra augmented copies of each rare-class image) and
'long' (uniform sampling trained for as many steps as 'copies' takes, its fair control);
classes with fewer than `BELOW` training images are rare; two seeds each. Reported on the validation fold:
the rare classes' mean ROC AUC and mean F1 at their best threshold (tuned on the validation fold itself, so
optimistic for both arms alike), and the macro F1 at 0.5 over all classes.
Run: python bench/measure_oversample.py [N] [ARMS]   (ARMS: e.g. False,True,copies,long; about 5 minutes per arm on 2 CPU cores)"""
import sys, time, tempfile, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
import numpy as np
from fastai.callback.progress import ProgressCallback
from fastai.torch_core import set_seed
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.learner import hpa_learner, fit_warmup
from hpa_fastai.losses import FocalLoss
from hpa_fastai.metrics import f1_macro, auc_per_class
from hpa_fastai.thresholds import best_threshold

N, BELOW, SEEDS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000, 40, (0, 1)
ARMS = [{'False': False, 'True': True}.get(a, a) for a in (sys.argv[2] if len(sys.argv) > 2 else 'False,True,copies').split(',')]

def arm(data, oversample, seed):
    set_seed(seed)
    epochs = 8
    if oversample == 'long':  # uniform sampling, as many steps as 'copies' takes (its epochs are longer)
        n = len(hpa_dls(data, size=64, bs=32, device='cpu', seed=seed).train_ds)
        epochs = round(8 * len(hpa_dls(data, size=64, bs=32, device='cpu', seed=seed, oversample='copies', below=BELOW).train_ds) / n)
        oversample = False
    dls = hpa_dls(data, size=64, bs=32, device='cpu', seed=seed, oversample=oversample, below=BELOW)
    learn = hpa_learner(dls, arch='resnet18', loss_func=FocalLoss(0.)); learn.remove_cb(ProgressCallback)
    fit_warmup(learn, epochs=epochs, lr=1e-2, warmup_epochs=1)
    p, y = [o.numpy() for o in learn.get_preds(dl=dls.valid)]
    _, first = np.unique(dls.train_ds.ids, return_index=True)  # each training image once ('copies' repeats some)
    cnt = dls.train_ds.y[first].sum(0)
    rare = [c for c in range(28) if 0 < cnt[c] < BELOW and 0 < y[:, c].sum() < len(y)]
    return (np.mean(auc_per_class(p, y)[rare]), np.mean([best_threshold(p[:, c], y[:, c])[1] for c in rare]),
            f1_macro(p, y), len(rare))

tmp = Path(tempfile.mkdtemp()); t = time.time()
data = make_synth(tmp/'s', n=N, n_test=0, size=64, seed=0)
print(f"{N} synthetic images in {time.time()-t:.0f}s; rare = fewer than {BELOW} training images")
res = {}
for ov in ARMS:
    for s in SEEDS:
        t = time.time(); res[ov, s] = arm(data, ov, s)
        print(f"oversample={ov!s:5s} seed {s}: rare AUC {res[ov, s][0]:.3f}  rare best-F1 {res[ov, s][1]:.3f}  "
              f"macro F1@0.5 {res[ov, s][2]:.3f}  ({res[ov, s][3]} rare classes in valid, {time.time()-t:.0f}s)", flush=True)
for ov in ARMS:
    m = np.mean([res[ov, s][:3] for s in SEEDS], 0)
    print(f"mean oversample={ov!s:5s}: rare AUC {m[0]:.3f}  rare best-F1 {m[1]:.3f}  macro F1@0.5 {m[2]:.3f}")
