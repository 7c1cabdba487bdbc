"""The compressed cache and the training feed, on the 20 real samples of real_data/samples (labels in its train.csv).

Part 1, per sample, one core: bytes on disk and ms to read one sample into its row of a batch array, as the loader
does: for the PNGs (`open_rgby`, then a copy), for each cache codec (`CacheReader.read(row, out=...)`: checksum and
decode in place) and for the uint8 memmap cache (a copy). Ratios against PNG, measured in this run; best of 5
interleaved passes.

Part 2, the training feed: batches of 32 ready for the model's device, augmented (`BatchAug`: random dihedral
transform and brightness/contrast; at 256 px resized from the stored 512 px) and still uint8, as `hpa_dls` gives
them with its default loader threads (one per core) on this machine, from the PNGs, from the uint8 memmap cache
(built at the training size) and from the compressed cache (one cache at 512 px for both sizes). The 20 samples
are listed 16 times under new Ids (symlinks: 320 samples) so that an epoch is long enough to time. For reference,
the same feeds normalised to float32 here (on a GPU machine that happens on the GPU).

Run: python bench/bench_loader.py [real_sample folder]
"""
import os, sys, time, tempfile, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, torch, cv2
from PIL import Image
from fastai.data.core import Pipeline
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import open_rgby
from hpa_fastai.cache import build_cache, CacheReader
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.load import NormalizeRGBY

R = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]/'real_data'/'samples'/'train'
COPIES, BS, N_TRAIN = 16, 32, 31072  # the competition's training images

def kaggle_folder(tmp:Path)->Path:
    "The real samples, each listed COPIES times (symlinks), as a Kaggle-layout folder"
    lab = pd.read_csv(R.parent/'train.csv')
    d = tmp/'real'; (d/'train').mkdir(parents=True)
    rows = []
    for k in range(COPIES):
        for i, t in zip(lab.Id, lab.Target):
            for c in CHANNELS: os.symlink(R/f'{i}_{c}.png', d/'train'/f'{i}x{k}_{c}.png')
            rows.append((f'{i}x{k}', t))
    pd.DataFrame(rows, columns=['Id', 'Target']).to_csv(d/'train.csv', index=False)
    # validation: the first copy of each sample; training: the other 15 (300 samples)
    pd.DataFrame({'Id': [r[0] for r in rows], 'fold': [int(k > 0) for k in range(COPIES) for _ in lab.Id]}).to_csv(tmp/'folds.csv', index=False)
    return d

def best_ms(fs:dict, n:int, reps:int=5)->dict:
    "Best of `reps` interleaved passes of each `f()`, in ms per sample (interleaved: no codec is always timed first)"
    best = {k: float('inf') for k in fs}
    for _ in range(reps):
        for k, f in fs.items():
            t = time.perf_counter(); f(); best[k] = min(best[k], time.perf_counter() - t)
    return {k: v / n * 1e3 for k, v in best.items()}

def codecs(data:Path, tmp:Path)->dict:
    "Part 1: {name: (bytes per sample, ms per sample)}; the caches built here are returned too"
    ids = pd.read_csv(R.parent/'train.csv').Id.tolist()
    png_b = np.mean([sum((R/f'{i}_{c}.png').stat().st_size for c in CHANNELS) for i in ids])
    caches = {'lz4hc 4 (default)': build_cache(data, out=tmp/'lz4hc', progress=False, threads=2),
              'lz4hc 9': build_cache(data, out=tmp/'lz4hc9', level=9, progress=False, threads=2),
              'lz4': build_cache(data, out=tmp/'lz4', codec='lz4', progress=False, threads=2),
              'zstd 9': build_cache(data, out=tmp/'zstd', codec='zstd', progress=False, threads=2),
              'uint8 memmap (raw)': build_cache(data, 512, tmp/'npy512', codec='npy', progress=False, threads=2)}
    readers = {k: CacheReader(c) for k, c in caches.items()}
    n = len(ids)  # the first copy of each sample: rows 0..19
    for k, r in readers.items():
        for row in range(n): assert np.array_equal(r.read(row), open_rgby(R, ids[row])), k  # the round trip is exact
    # what the loader does per sample: decode it into its row of a (reused) batch array
    out = np.empty((4, 512, 512), np.uint8)
    def png():
        for i in ids: out[...] = open_rgby(R, i, threads=False)
    fs = {'PNG': png}
    fs.update({k: (lambda r=r: [r.read(row, out=out) for row in range(n)]) for k, r in readers.items()})
    ms = best_ms(fs, n)
    size = {'PNG': png_b}
    for k, c in caches.items():
        f = c/('images.npy' if 'memmap' in k else 'chunks.bin')
        size[k] = f.stat().st_size / COPIES / n  # each sample is stored once per copy
    return {k: (size[k], ms[k]) for k in fs}, caches['lz4hc 4 (default)']

def feed(make, epochs:int=2)->float:
    "Samples/s of a loader's training batches over `epochs` passes, after a warm-up pass"
    dl = make()
    for _ in dl: pass
    n, t = 0, time.perf_counter()
    for _ in range(epochs):
        for b in dl: n += len(b[0])
    return n / (time.perf_counter() - t)

def uint8_only(d):
    "The training loader without `NormalizeRGBY`: augmented uint8 batches, what reaches the model's device"
    d.train.after_batch = Pipeline([f for f in d.train.after_batch.fs if not isinstance(f, NormalizeRGBY)])
    return d.train

def main():
    if not (R.parent/'train.csv').exists(): sys.exit(f"bench_loader: no real samples in {R}")
    torch.set_num_threads(1)  # the batch work runs in the training thread; loader threads take the other core
    tmp = Path(tempfile.mkdtemp()); data = kaggle_folder(tmp)
    res, cz = codecs(data, tmp)
    png_b, png_ms = res['PNG']
    print(f"Part 1: {len(pd.read_csv(R.parent/'train.csv'))} real samples, per sample on one core (PNG: {png_b/1e3:.0f} KB, {png_ms:.2f} ms)")
    print(f"{'':22s} {'KB':>6s} {'x PNG bytes':>12s} {'ms':>6s} {'x PNG speed':>12s}  goal (compressed): <= 1.25x bytes, >= 5x speed")
    for k, (b, ms) in res.items():
        ok = '' if k == 'PNG' or 'memmap' in k else ('  met' if b / png_b <= 1.25 and png_ms / ms >= 5 else '  NOT met')
        print(f"{k:22s} {b/1e3:6.0f} {b/png_b:12.2f} {ms:6.2f} {png_ms/ms:12.1f}{ok}")
    zb = res['lz4hc 4 (default)'][0]
    print(f"competition training set ({N_TRAIN:,} images) at 512 px: PNG {png_b*N_TRAIN/1e9:.1f} GB, compressed cache "
          f"{zb*N_TRAIN/1e9:.1f} GB, uint8 memmap {4*512*512*N_TRAIN/1e9:.1f} GB")

    stats = tmp/'stats.json'; stats.write_text('{"mean": [0.1, 0.1, 0.1, 0.1], "std": [0.1, 0.1, 0.1, 0.1]}')
    kw = dict(folds=tmp/'folds.csv', valid_fold=0, stats=stats, bs=BS, device='cpu')
    print(f"\nPart 2: training feed, batches of {BS} (uint8, augmented on the batch), samples/s "
          f"({os.cpu_count()} cores, loader threads {hpa_dls(data, size=64, **kw).train.threads})")
    print(f"{'size':>5s} {'PNG':>7s} {'memmap':>7s} {'compressed':>11s} {'x PNG':>7s}  goal   | normalised here: {'PNG':>6s} {'compressed':>11s}")
    for size, goal in ((512, 4), (256, 3)):
        cm = build_cache(data, size, tmp/f'npy{size}', codec='npy', progress=False, threads=2)
        r = {name: feed(lambda c=c: uint8_only(hpa_dls(data, size=size, cache=c, **kw))) for name, c in (('png', None), ('npy', cm), ('z', cz))}
        n = {name: feed(lambda c=c: hpa_dls(data, size=size, cache=c, **kw).train) for name, c in (('png', None), ('z', cz))}
        x = r['z'] / r['png']
        print(f"{size:5d} {r['png']:7.0f} {r['npy']:7.0f} {r['z']:11.0f} {x:7.1f}  >= {goal}x {'met' if x >= goal else 'NOT met'} |"
              f"                  {n['png']:6.0f} {n['z']:11.0f} ({n['z']/n['png']:.1f}x)")

if __name__ == '__main__': main()
