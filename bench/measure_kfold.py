"""One model vs a k-fold ensemble through `hpa_run`, on a synthetic set with test answers (a measurement).

Synthetic set of 400 training and 100 test images at 64 px (hpa_data), ResNet-18 from scratch, BCE, lr 1e-2,
1 + 6 epochs, 8-way TTA, 4 folds: `train_folds=1` (fold 0 validates; thresholds tuned on it) against
`train_folds=4` (thresholds on out-of-fold predictions, test probabilities averaged). Prints per-fold and
ensemble test macro F1. Run: python bench/measure_kfold.py
"""
import json, tempfile, warnings
warnings.filterwarnings('ignore')
from pathlib import Path
from hpa_fastai.datasets import hpa_data
from hpa_fastai.pipeline import hpa_run

def main():
    data = hpa_data(n=400, n_test=100, size=64, seed=0)
    tmp = Path(tempfile.mkdtemp())
    kw = dict(size=64, epochs=6, warmup=1, folds=4, bs=16, lr=1e-2, tta=8, device='cpu', lr_find_iters=10)
    one = hpa_run(data, tmp/'one', train_folds=1, **kw)
    ens = hpa_run(data, tmp/'ens', train_folds=4, **kw)
    print(f"\nclass-prior baseline (test): {one['prior_f1_macro_test']:.3f}")
    print(f"one model (fold 0):         test macro F1 {one['test_f1_macro']:.3f}  ({one['seconds']['total']:.0f} s)")
    print(f"4 fold models, each alone:  test macro F1 {', '.join(f'{v:.3f}' for v in ens['folds_test_f1_macro'])} "
          "(thresholds from the out-of-fold predictions)")
    print(f"4-fold ensemble:            test macro F1 {ens['test_f1_macro']:.3f}  ({ens['seconds']['total']:.0f} s); "
          f"out-of-fold valid macro F1 {ens['valid_f1_macro_tuned']:.3f} tuned on itself")

if __name__ == '__main__': main()
