"""Channel statistics benchmark (issue 3): `channel_stats` against decode-only throughput (the same
open_rgby calls, in the same processes and chunks, doing nothing with the pixels), in the same run,
on the real 512px HPA PNGs of real_data/samples (8 of its real 4-channel samples, repeated)."""
import shutil, sys, tempfile, time
from pathlib import Path
from multiprocessing import get_context
import numpy as np
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import open_rgby
from hpa_fastai.stats import channel_stats

REAL = Path(__file__).resolve().parents[1]/'real_data'/'samples'/'train'

def _decode_chunk(args):
    folder, ids = args
    for i in ids: open_rgby(folder, i, threads=False)
    return len(ids)

def main(reps=24, workers=2, chunk=16):
    if not REAL.exists(): sys.exit(f"real HPA files not found at {REAL}")
    tmp = Path(tempfile.mkdtemp())
    try:
        byc = {c: sorted(REAL.glob(f'*_{c}.png')) for c in CHANNELS}
        base = []
        for i in range(8):
            for c in CHANNELS: shutil.copy(byc[c][i], tmp/f's{i}_{c}.png')
            base.append(f's{i}')
        ids = base * reps
        tasks = [(str(tmp), ids[i:i+chunk]) for i in range(0, len(ids), chunk)]
        for _ in range(2):  # warm the page cache, then measure alternately
            t0 = time.perf_counter()
            with get_context('fork').Pool(workers) as p: sum(p.imap_unordered(_decode_chunk, tasks))
            dec = len(ids) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            channel_stats(tmp, ids, n_workers=workers, chunk=chunk, progress=False)
            ours = len(ids) / (time.perf_counter() - t0)
        print(f"decode only ({workers} processes):  {dec:7.1f} samples/s")
        print(f"channel_stats ({workers} processes): {ours:7.1f} samples/s")
        print(f"RATIO channel_stats / decode-only = {ours/dec:.2f}x  (goal >= 0.9x)")
    finally: shutil.rmtree(tmp)

if __name__ == '__main__': main()
