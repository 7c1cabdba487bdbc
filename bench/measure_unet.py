"""Does a segmentation side loss help classification, and a class head segmentation? On synthetic data with
ground-truth masks (not a speed benchmark, not in run_all).

A synthetic set of N images at 64 px with nuclei/cell masks (`make_synth(masks=True)`, label sets from the real
train.csv), fold 0 held out. Three models from scratch, same data, folds, seeds, batches, epochs and one-cycle lr:
the classifier alone (`rgby_model` + focal loss), the U-Net alone (`rgby_unet`, mask BCE) and the dual-head U-Net
(class head on the same encoder, focal loss + mask BCE). Reported on the validation fold: classification macro
ROC AUC (classes present) and macro F1 at 0.5 with / without the side loss, and mask IoU (nuclei, cells) with /
without the class head.
Run: python bench/measure_unet.py [N] [SEEDS] [EPOCHS] [ARCH] [SEG_WEIGHT] [KINDS]
(defaults 1000 0 8 resnet34 [unet_learner's] classifier,unet,dual; about 3 + 20 + 15 minutes per seed on 2 CPU cores)"""
import sys, time, tempfile, warnings; warnings.filterwarnings('ignore')
from pathlib import Path
import numpy as np, torch
from fastai.callback.progress import ProgressCallback
from fastai.torch_core import set_seed
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.learner import hpa_learner
from hpa_fastai.unet import unet_learner, unet_dls
from hpa_fastai.losses import FocalLoss
from hpa_fastai.metrics import f1_macro, macro_auc

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SEEDS = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else '0').split(',')]
EPOCHS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
ARCH = sys.argv[4] if len(sys.argv) > 4 else 'resnet34'
SEG_WEIGHT = float(sys.argv[5]) if len(sys.argv) > 5 else None  # None: unet_learner's default (1 alone, 0.1 dual)
KINDS = (sys.argv[6] if len(sys.argv) > 6 else 'classifier,unet,dual').split(',')
LR = 1e-2


def iou(p, m):
    pb, tb = p > .5, m > .5
    return [float((pb[:, k] & tb[:, k]).sum() / (pb[:, k] | tb[:, k]).sum()) for k in range(m.shape[1])]

def run(data, kind, seed):
    set_seed(seed)
    dls = (hpa_dls if kind == 'classifier' else unet_dls)(data, size=64, bs=32, device='cpu', seed=seed)
    if kind == 'classifier': learn = hpa_learner(dls, arch=ARCH, loss_func=FocalLoss(0.))
    else: learn = unet_learner(dls, ARCH, n_classes=28 if kind == 'dual' else 0, cls_loss=FocalLoss(0.), seg_weight=SEG_WEIGHT)
    learn.remove_cb(ProgressCallback)
    learn.fit_one_cycle(EPOCHS, LR)
    p, t = learn.get_preds(dl=dls.valid)
    r = {}
    if kind == 'classifier': pc, y = p.numpy(), t.numpy()
    elif kind == 'dual': (pm, pc), (y, m) = p, t; pc, y = pc.numpy(), y.numpy()
    else: pm, (y, m) = p, t
    if kind != 'classifier': r['iou_nuclei'], r['iou_cells'] = iou(pm, m)
    if kind != 'unet': r['auc'], r['f1'] = macro_auc(pc, y), f1_macro(pc, y)
    return r

tmp = Path(tempfile.mkdtemp()); t = time.time()
data = make_synth(tmp/'s', n=N, n_test=0, size=64, seed=0, masks=True)
print(f"{N} synthetic images with masks in {time.time()-t:.0f}s; {ARCH}, {EPOCHS} epochs at lr {LR}, mask loss weight {SEG_WEIGHT or 'default'}", flush=True)
res = {}
for kind in KINDS:
    for s in SEEDS:
        t = time.time(); res[kind, s] = run(data, kind, s)
        print(f"{kind:10s} seed {s}: " + '  '.join(f"{k} {v:.3f}" for k, v in res[kind, s].items()) + f"  ({time.time()-t:.0f}s)", flush=True)
for kind in KINDS:
    keys = res[kind, SEEDS[0]].keys()
    print(f"mean {kind:10s}: " + '  '.join(f"{k} {np.mean([res[kind, s][k] for s in SEEDS]):.3f}" for k in keys))
