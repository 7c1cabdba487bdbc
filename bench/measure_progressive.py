"""Progressive resizing vs training at the final size only, on synthetic data (a measurement, not a speed benchmark).

384 synthetic training images (hpa_data, 128 px stored), fold 0 held out, ResNet-18 from scratch, BCE, lr 1e-2:
  full:        1 warm-up + 6 epochs at 64 px
  progressive: 1 warm-up + 3 epochs at 32 px, then 3 epochs at 64 px from the same weights (fit_progressive)
Two seeds per arm; prints the validation mean per-class ROC AUC, macro F1 at 0.5 and the training seconds.
Run: python bench/measure_progressive.py
"""
import time, warnings
warnings.filterwarnings('ignore')
import numpy as np
from fastai.torch_core import set_seed
from hpa_fastai.datasets import hpa_data
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.losses import FocalLoss
from hpa_fastai.metrics import f1_macro, macro_auc
from hpa_fastai.learner import hpa_learner, fit_warmup, fit_progressive

def score(learn, dls):
    p, t = [o.numpy() for o in learn.get_preds(dl=dls.valid)]
    return macro_auc(p, t), f1_macro(p, t)

def main():
    data = hpa_data(n=384, n_test=0, size=128, seed=0)
    mk = lambda size, seed: hpa_dls(data, size=size, bs=16, device='cpu', seed=seed)
    res = {}
    for arm in ('full', 'progressive'):
        for seed in (0, 1):
            set_seed(seed)
            learn = hpa_learner(mk(64, seed), arch='resnet18', loss_func=FocalLoss(0.))
            t = time.time()
            with learn.no_bar(), learn.no_logging():
                if arm == 'full': fit_warmup(learn, 6, 1e-2, 1)
                else: fit_progressive(learn, lambda s: mk(s, seed), [32, 64], [3, 3], lr=1e-2)
            secs = time.time() - t
            learn.dls = mk(64, seed)
            res.setdefault(arm, []).append((*score(learn, learn.dls), secs))
            print(arm, seed, 'AUC %.3f  F1@0.5 %.3f  %.0f s' % res[arm][-1], flush=True)
    print('\n| arm | mean AUC | macro F1 @ 0.5 | seconds |\n|---|---|---|---|')
    for arm, r in res.items():
        r = np.array(r); print(f"| {arm} | {r[:, 0].mean():.3f} ({', '.join(f'{v:.3f}' for v in r[:, 0])}) | {r[:, 1].mean():.3f} | {r[:, 2].mean():.0f} |")

if __name__ == '__main__': main()
