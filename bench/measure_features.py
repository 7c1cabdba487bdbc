"""Do Sobel/block feature channels help? A comparison on synthetic data (not a speed benchmark, not in run_all).

A synthetic set of N images at 64 px (label sets drawn from the real train.csv), fold 0 held out. ResNet-18 from
scratch, BCE, 1 warm-up + 8 epochs at lr 1e-2, the same folds, seeds and batches, with and without
`FeatureChannels()` (the green staining's normed Sobel magnitude, direction, thresholded magnitude and 8x8 block
means, appended as 4 extra input channels; the first conv widened by `feature_model`). Reported on the validation
fold: macro ROC AUC over the classes present, macro F1 at 0.5 over all classes, and the seconds per run.
Run: python bench/measure_features.py [N] [SEEDS]   (SEEDS e.g. 0,1; about 2.5 minutes per run at N=1000 on 2 CPU cores)"""
import sys, time, tempfile, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
import numpy as np
from fastai.callback.progress import ProgressCallback
from fastai.torch_core import set_seed
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.features import FeatureChannels
from hpa_fastai.learner import hpa_learner, fit_warmup
from hpa_fastai.losses import FocalLoss
from hpa_fastai.metrics import f1_macro, macro_auc

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SEEDS = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else '0,1').split(',')]

def run(data, feats, seed):
    set_seed(seed)
    dls = hpa_dls(data, size=64, bs=32, device='cpu', seed=seed, features=FeatureChannels() if feats else None)
    learn = hpa_learner(dls, arch='resnet18', loss_func=FocalLoss(0.)); learn.remove_cb(ProgressCallback)
    fit_warmup(learn, epochs=8, lr=1e-2, warmup_epochs=1)
    p, y = [o.numpy() for o in learn.get_preds(dl=dls.valid)]
    return macro_auc(p, y), f1_macro(p, y)

tmp = Path(tempfile.mkdtemp()); t = time.time()
data = make_synth(tmp/'s', n=N, n_test=0, size=64, seed=0)
print(f"{N} synthetic images in {time.time()-t:.0f}s", flush=True)
res = {}
for feats in (False, True):
    for s in SEEDS:
        t = time.time(); auc, f1 = run(data, feats, s); res[feats, s] = (auc, f1, time.time() - t)
        print(f"features={feats!s:5s} seed {s}: macro AUC {auc:.3f}  macro F1@0.5 {f1:.3f}  ({res[feats, s][2]:.0f}s)", flush=True)
for feats in (False, True):
    m = np.mean([res[feats, s] for s in SEEDS], 0)
    print(f"mean features={feats!s:5s}: macro AUC {m[0]:.3f}  macro F1@0.5 {m[1]:.3f}  {m[2]:.0f}s per run")
