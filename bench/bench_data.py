"""Loader benchmark (issue 2): `open_rgby` against the naive Kaggle-kernel loader (4x PIL open -> np.stack)
and against the raw decode limit (the fastest single-PNG decode from memory, x4), in the same run,
on real 512px HPA PNGs: the 20 complete real samples of real_data/samples."""
import io, shutil, sys, tempfile, time
from pathlib import Path
import numpy as np, cv2, imagecodecs
from PIL import Image
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import open_rgby

REAL = Path(__file__).resolve().parents[1]/'real_data'/'samples'/'train'

def rate(fn, items, secs=3.0):
    "items/s of fn over items, repeated for about `secs`"
    for it in items[:2]: fn(it)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        for it in items: fn(it)
        n += len(items)
    return n / (time.perf_counter() - t0)

def naive_loader(folder, id):
    return np.stack([np.array(Image.open(f'{folder}/{id}_{c}.png')) for c in CHANNELS])

def main():
    if not REAL.exists(): sys.exit(f"real HPA files not found at {REAL}")
    tmp = Path(tempfile.mkdtemp())
    try:
        byc = {c: sorted(REAL.glob(f'*_{c}.png')) for c in CHANNELS}
        ids = []
        for i in range(min(len(v) for v in byc.values())):
            for c in CHANNELS: shutil.copy(byc[c][i], tmp/f's{i}_{c}.png')
            ids.append(f's{i}')
        blobs = [(tmp/f'{i}_{c}.png').read_bytes() for i in ids for c in CHANNELS]
        dec = {'PIL': lambda b: np.asarray(Image.open(io.BytesIO(b))),
               'cv2': lambda b: cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_UNCHANGED),
               'imagecodecs': imagecodecs.png_decode}
        try:
            import pyspng; dec['pyspng'] = pyspng.load
        except ImportError: pass
        print(f"single 512px PNG decode from memory ({len(blobs)} real PNGs):")
        rates = {k: rate(f, blobs) for k, f in dec.items()}
        for k, r in rates.items(): print(f"  {k:12s} {1e3/r:6.2f} ms/png")
        limit = max(rates.values()) / 4
        naive = rate(lambda i: naive_loader(tmp, i), ids)
        ours = rate(lambda i: open_rgby(tmp, i), ids)
        ours1 = rate(lambda i: open_rgby(tmp, i, threads=False), ids)
        print(f"naive loader (4x PIL + stack):  {naive:7.1f} samples/s")
        print(f"raw decode limit ({max(rates, key=rates.get)} x4): {limit:7.1f} samples/s")
        print(f"open_rgby (threads):            {ours:7.1f} samples/s")
        print(f"open_rgby (threads=False):      {ours1:7.1f} samples/s")
        print(f"RATIO open_rgby / naive       = {ours/naive:.2f}x  (goal >= 1.8x)")
        print(f"RATIO open_rgby / decode limit = {ours/limit:.2f}x  (goal >= 0.9x)")
    finally: shutil.rmtree(tmp)

if __name__ == '__main__': main()
