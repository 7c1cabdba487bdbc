"""Per-class threshold tuning on 11,000 x 28: sklearn f1_score on a 100-point grid (28 x 100 calls) vs the exact
sorted-cumsum `tune_thresholds`, and a brute-force check that ours reaches the best F1 over every distinct cut.
Run: python bench/bench_thresholds.py"""
import time, numpy as np
from sklearn.metrics import f1_score
from hpa_fastai.thresholds import tune_thresholds

def data(n=11000, c=28, seed=0):
    rng = np.random.default_rng(seed)
    prev = np.clip(rng.lognormal(-3.5, 1.2, c), 0.002, 0.45)
    y = (rng.random((n, c)) < prev).astype(np.uint8)
    y[rng.integers(n, size=c), np.arange(c)] = 1
    logit = rng.normal(-2.5, 1., (n, c)) + y * rng.uniform(0.5, 3., c)
    return np.round(1 / (1 + np.exp(-logit)), 4), y  # rounded: ties, as float16/float32 model outputs have

def sklearn_grid(p, y, grid=np.linspace(0.01, 0.99, 100)):
    return np.array([grid[np.argmax([f1_score(y[:, c], p[:, c] > t, zero_division=0) for t in grid])] for c in range(p.shape[1])])

def brute_f1(p, y):
    "best F1 over every distinct cut, by evaluating each candidate threshold directly"
    u = np.unique(p); cands = np.r_[u[0] - 1, (u[1:] + u[:-1]) / 2]
    P, best = y.sum(), 0.
    for s in range(0, len(cands), 512):
        pred = p[None] > cands[s:s+512, None]
        tp = (pred & (y[None] > 0)).sum(1)
        best = max(best, (2 * tp / (pred.sum(1) + P)).max())
    return best

p, y = data()
t = time.perf_counter(); th_sk = sklearn_grid(p, y); t_sk = time.perf_counter() - t
reps = [time.perf_counter()]
for _ in range(5): th = tune_thresholds(p, y, min_pos=1); reps.append(time.perf_counter())
t_ours = min(np.diff(reps))
f_ours = np.array([f1_score(y[:, c], p[:, c] > th[c]) for c in range(28)])
f_sk = np.array([f1_score(y[:, c], p[:, c] > th_sk[c]) for c in range(28)])
t = time.perf_counter(); f_brute = np.array([brute_f1(p[:, c], y[:, c]) for c in range(28)]); t_b = time.perf_counter() - t
print(f"11,000 x 28, {int(y.sum())} positives")
print(f"{'sklearn f1_score, 100-point grid':40s} {t_sk*1e3:9.1f} ms   mean F1 {f_sk.mean():.4f}")
print(f"{'tune_thresholds (exact)':40s} {t_ours*1e3:9.1f} ms   mean F1 {f_ours.mean():.4f}   {t_sk/t_ours:.0f}x faster (goal >= 150x)")
print(f"{'brute force, every distinct cut':40s} {t_b*1e3:9.1f} ms   mean F1 {f_brute.mean():.4f}")
print(f"ours == brute force on every class: {bool(np.allclose(f_ours, f_brute, atol=1e-12))} "
      f"(max |diff| {np.abs(f_ours - f_brute).max():.1e}); ours >= grid on every class: {bool((f_ours >= f_sk - 1e-12).all())}")
