"Benchmark the synthetic HPA generator: samples/s at 512 px on one core (goal >= 20), PNG writing included"
import os
for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(v, '1')
import sys, time, tempfile
from pathlib import Path
import cv2
cv2.setNumThreads(1)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hpa_fastai.synth import make_synth, synth_sample

def main(n=60, size=512):
    t = time.perf_counter()
    for i in range(n): synth_sample([0], size, i)
    drawn = n / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter(); make_synth(Path(d)/'s', n=n, n_test=0, size=size, seed=0)
        written = n / (time.perf_counter() - t)
    print(f'synth_sample: {drawn:.1f} samples/s; make_synth (drawn, encoded, written): {written:.1f} samples/s (goal >= 20)  [{n} samples at {size} px, one core]')

if __name__ == '__main__': main(*map(int, sys.argv[1:3]))
