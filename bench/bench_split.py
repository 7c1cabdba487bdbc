"""Fold-split benchmark (issue: stratified folds): `multilabel_folds` against iterstrat's MultilabelStratifiedKFold
and scikit-multilearn's IterativeStratification(order=2), in the same run, on the real Kaggle train.csv
(31,072 x 28), with the Sechidis et al. measures (LD, ED, FZ, FLZ); then ours on ~100k rows (train.csv tiled
+ the HPAv18 external list)."""
import sys, time
from pathlib import Path
import numpy as np, pandas as pd
from hpa_fastai.core import encode_targets
from hpa_fastai.data import read_labels
from hpa_fastai.split import multilabel_folds, split_quality

REAL = Path(__file__).resolve().parents[1]/'real_data'
EXTERNAL = Path(__file__).resolve().parents[2]/'shared'/'data'/'hpa'/'HPAv18RBGY_wodpl.csv'  # optional: the external label list, when beside the repo
K = 5

def folds_from_splits(n, splits):
    f = np.full(n, -1)
    for i, (_, va) in enumerate(splits): f[va] = i
    return f

def timed(fn):
    t0 = time.perf_counter(); f = fn(); return time.perf_counter() - t0, f

def main():
    fn = REAL/'train.csv.gz'
    if not fn.exists(): sys.exit(f"real HPA labels not found at {fn}")
    y = encode_targets(read_labels(fn).Target); n = len(y); X = np.zeros((n, 1))
    multilabel_folds(y[:2000], K, 0)  # warm-up (imports, first-call overheads)
    rows = {}
    rows['ours'] = timed(lambda: multilabel_folds(y, K, seed=0))
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    rows['iterstrat'] = timed(lambda: folds_from_splits(n, MultilabelStratifiedKFold(n_splits=K, shuffle=True, random_state=0).split(X, y)))
    try:
        from skmultilearn.model_selection import IterativeStratification
        rows['skmultilearn o2'] = timed(lambda: folds_from_splits(n, IterativeStratification(n_splits=K, order=2).split(X, y)))
    except Exception as e: print(f"note: scikit-multilearn skipped ({type(e).__name__}: {e})")
    q = {k: split_quality(y, f) for k, (s, f) in rows.items()}
    print(f"real train.csv: {n} rows x {y.shape[1]} labels, {K} folds")
    print(f"{'method':<16}{'seconds':>9}{'LD':>11}{'ED':>9}{'FZ':>5}{'FLZ':>5}")
    for k, (s, f) in rows.items():
        print(f"{k:<16}{s:9.3f}{q[k]['LD']:11.2e}{q[k]['ED']:9.2f}{q[k]['FZ']:5d}{q[k]['FLZ']:5d}")
    others = [k for k in rows if k != 'ours']
    best = min(others, key=lambda k: q[k]['LD'])
    print(f"LD ours / best other ({best}): {q['ours']['LD']/q[best]['LD']:.3f}   goal < 1")
    print(f"seconds iterstrat / ours: {rows['iterstrat'][0]/rows['ours'][0]:.1f}x   goal >= 1")
    print(f"ED ours: {q['ours']['ED']:.2f}   goal <= 1;  FZ/FLZ ours: {q['ours']['FZ']}/{q['ours']['FLZ']}   goal 0/0")
    ext = EXTERNAL
    if ext.exists():
        ye = encode_targets(pd.read_csv(ext, dtype=str, keep_default_na=False).Target)
        big = np.concatenate([y, ye])
        s, f = timed(lambda: multilabel_folds(big, K, seed=0)); qb = split_quality(big, f)
        print(f"ours on {len(big)} rows (train + HPAv18): {s:.3f}s  LD {qb['LD']:.2e}  ED {qb['ED']:.2f}  "
              f"FZ {qb['FZ']}  FLZ {qb['FLZ']}   goal: seconds")
        g = np.arange(n) // 4
        s, f = timed(lambda: multilabel_folds(y, K, seed=0, groups=g)); qg = split_quality(y, f)
        print(f"ours with groups (4 consecutive rows a group, {g.max()+1} groups): {s:.3f}s  LD {qg['LD']:.2e}  "
              f"ED {qg['ED']:.2f}  FZ {qg['FZ']}  FLZ {qg['FLZ']}")

if __name__ == '__main__': main()
