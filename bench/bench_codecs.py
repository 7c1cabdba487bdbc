"""Which codec for a compressed sample cache (issue 17): bytes and decode time per real sample against PNG.

On the 20 complete real training samples of `real_data/samples/train/` (4 x 512 px PNGs each), every
candidate compresses the raw (4, 512, 512) uint8 sample; decoding includes the copy into a (4, 512, 512)
array. One core, best of 5 passes, PNG decoded in the same process as the baseline (ratios, not timings,
are the result). Run: python bench/bench_codecs.py [real_sample folder]
"""
import sys, time
from pathlib import Path
import numpy as np, imagecodecs as ic

R = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]/'real_data'/'samples'/'train'
CH, SHAPE = ('red', 'green', 'blue', 'yellow'), (4, 512, 512)
CODECS = [('zstd 1', lambda b: ic.zstd_encode(b, level=1), ic.zstd_decode),
          ('zstd 3', lambda b: ic.zstd_encode(b, level=3), ic.zstd_decode),
          ('zstd 9', lambda b: ic.zstd_encode(b, level=9), ic.zstd_decode),
          ('zstd 19', lambda b: ic.zstd_encode(b, level=19), ic.zstd_decode),
          ('lz4', ic.lz4_encode, lambda c: ic.lz4_decode(c, out=int(np.prod(SHAPE)))),
          ('lz4f', ic.lz4f_encode, ic.lz4f_decode),
          ('raw', lambda b: b, lambda c: c)]

def per_sample_ms(f, n, reps=5):
    "Best of `reps` passes of `f()`, in ms per sample"
    best = float('inf')
    for _ in range(reps):
        t0 = time.perf_counter(); f(); best = min(best, time.perf_counter() - t0)
    return best / n * 1e3

def main():
    ids = sorted({p.name.rsplit('_', 1)[0] for p in R.glob('*_green.png')})
    if not ids: sys.exit(f"bench_codecs: no real samples in {R}")
    pngs = [[(R/f'{i}_{c}.png').read_bytes() for c in CH] for i in ids]
    xs = [np.stack([ic.png_decode(b) for b in s]) for s in pngs]
    png_b = np.mean([sum(map(len, s)) for s in pngs])
    png_ms = per_sample_ms(lambda: [np.stack([ic.png_decode(b) for b in s]) for s in pngs], len(ids))
    print(f"{len(ids)} real samples of {R}: PNG {png_b/1e3:.0f} KB and {png_ms:.2f} ms to decode per sample (one core)")
    print(f"{'codec':8s} {'bytes / PNG':>12s} {'decode ms':>10s} {'speed / PNG':>12s}   goal: <= 1.25x the bytes, >= 5x the speed")
    for name, enc, dec in CODECS:
        cs = [enc(x.tobytes()) for x in xs]
        assert all(np.array_equal(np.frombuffer(dec(c), np.uint8).reshape(SHAPE), x) for c, x in zip(cs, xs)), name
        ms = per_sample_ms(lambda: [np.frombuffer(dec(c), np.uint8).reshape(SHAPE).copy() for c in cs], len(ids))
        b = np.mean([len(c) for c in cs]) / png_b
        print(f"{name:8s} {b:11.2f}x {ms:10.2f} {png_ms/ms:11.1f}x   {'meets both' if b <= 1.25 and png_ms/ms >= 5 else ''}")

if __name__ == '__main__': main()
