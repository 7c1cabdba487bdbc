"BatchAug on a CPU batch: the OpenCV path (fast=True) against the torch ops a GPU runs (fast=False), one thread"
import time, numpy as np, torch
from hpa_fastai.augment import BatchAug
torch.set_num_threads(1)
rng = np.random.default_rng(0)
xb = torch.from_numpy(rng.integers(0, 256, (32, 4, 512, 512), dtype=np.uint8))
seeds = [(0, 1, i) for i in range(32)]
for size, crop in ((512, None), (256, None), (512, 256), (384, 320)):
    t = {}
    for fast in (True, False):
        aug = BatchAug(size, crop, fast=fast); aug.apply(xb, seeds)
        ts = []
        for _ in range(3): s = time.perf_counter(); aug.apply(xb, seeds); ts.append(time.perf_counter() - s)
        t[fast] = min(ts) * 1e3
    print(f"size {size} crop {crop}: OpenCV (fast=True) {t[True]:.0f} ms, torch ops (fast=False) {t[False]:.0f} ms, {t[False]/t[True]:.1f}x")
