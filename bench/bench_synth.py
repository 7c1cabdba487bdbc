"Benchmark the synthetic HPA generator: speed at 512px on one core, channel stats and PNG sizes vs real samples"
import os
for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(v, '1')
import sys, time, tempfile
from pathlib import Path
import numpy as np, cv2
cv2.setNumThreads(1)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hpa_fastai.core import CHANNELS
from hpa_fastai.synth import make_synth

REAL = Path(os.environ.get('HPA_DATA', Path(__file__).resolve().parents[2]/'shared'/'data'/'hpa'))

def stats(files):
    "per-channel mean, std (0..1) and mean file size (bytes) of PNG files grouped by channel"
    res = {}
    for ch in CHANNELS:
        fs = [f for f in files if f.name.endswith(f'_{ch}.png')]
        if not fs: continue
        ims = [cv2.imread(str(f), cv2.IMREAD_UNCHANGED).astype(np.float64) / 255 for f in fs]
        res[ch] = (np.mean([i.mean() for i in ims]), np.mean([i.std() for i in ims]),
                   np.mean([f.stat().st_size for f in fs]), len(fs))
    return res

def main(n=40, size=512):
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter(); make_synth(d, n=n, n_test=0, size=size, seed=0)
        dt = time.perf_counter() - t
        print(f'synth: {n/dt:.1f} samples/s (goal >= 20)  [{n} samples at {size}px, one core]')
        syn = stats(sorted(Path(d, 'train').glob('*.png')))
    real_files = sorted(REAL.glob('train_sample/*.png')) + sorted(REAL.glob('channel_samples/*.png'))
    real = stats(real_files) if real_files else {}
    print(f"{'ch':7s} {'syn mean':>8s} {'real mean':>9s} {'syn std':>8s} {'real std':>8s} {'syn KB':>7s} {'real KB':>7s} {'size ratio':>10s}")
    for ch in CHANNELS:
        sm, ss, sk, _ = syn[ch]
        if ch in real:
            rm, rs, rk, rn = real[ch]
            print(f'{ch:7s} {sm:8.3f} {rm:9.3f} {ss:8.3f} {rs:8.3f} {sk/1e3:7.1f} {rk/1e3:7.1f} {sk/rk:10.2f}  (real n={rn})')
        else: print(f'{ch:7s} {sm:8.3f} {"-":>9s} {ss:8.3f} {"-":>8s} {sk/1e3:7.1f}')
    if real:
        ratio = np.mean([syn[c][2] for c in real]) / np.mean([real[c][2] for c in real])
        print(f'average PNG size ratio synthetic/real: {ratio:.2f} (goal within 0.5..2)')
    print('real train means RGBY ~ 0.081/0.053/0.055/0.083, std ~ 0.137/0.101/0.153/0.138')

if __name__ == '__main__': main()
