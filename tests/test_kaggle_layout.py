"""The notebooks run unchanged on a Kaggle-like input folder (real CSVs, real 512 px PNGs, no test answers).

`$HPA_DATA` plays the Kaggle input folder (`find_data` treats both the same way). 08_learner also passes on it
(3 minutes here) and 12_getting_started trains on the whole folder when it finds real data (hours on a CPU), so
CI runs the notebooks that demonstrate loading, statistics, prediction and the pipeline.
"""
import os, subprocess
from pathlib import Path
import pytest
from clitools import BIN
from kaggle_standin import make_standin

ROOT = Path(__file__).resolve().parents[1]

def test_notebooks_on_kaggle_layout(tmp_path):
    data, cache = make_standin(tmp_path/'input'), tmp_path/'cache'
    # two notebooks at a time, one PyTorch thread each (as .ci/run): a thread per core in each worker thrashes
    env = {**os.environ, 'HPA_DATA': str(data), 'HPA_CACHE': str(cache), 'MPLBACKEND': 'Agg', 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([str(BIN/'nbdev_test'), '--path', 'nbs', '--n_workers', '2', '--file_re', r'^(0[2-5]|1[01])_.*\.ipynb$'],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    # the notebooks used real-layout subsets of the folder, never a synthetic set
    assert not (cache/'synth').exists()
    subsets = sorted(p.name for p in (cache/'subsets').iterdir())
    assert any(s.endswith('_n48_t8_seed0') for s in subsets) and any(s.endswith('_n48_t20_seed0') for s in subsets), subsets
