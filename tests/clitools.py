"""Helpers shared by the console-script tests."""
import subprocess, sys
from pathlib import Path

BIN = Path(sys.executable).parent  # the venv's bin folder, where pip put the console scripts

def run(cmd, *args, ok=True):
    "Run console script `cmd` with `args`; with `ok`, assert it succeeded (showing the end of its stderr)"
    r = subprocess.run([str(BIN/cmd), *map(str, args)], capture_output=True, text=True)
    if ok: assert r.returncode == 0, r.stderr[-3000:]
    return r

def synth_set(tmp_path_factory, n, n_test, size, seed):
    "A synthetic Kaggle-layout set made by the `hpa_synth` console script in a fresh temporary folder"
    d = tmp_path_factory.mktemp('synth')/'hpa'
    run('hpa_synth', '--out', d, '--n', n, '--n_test', n_test, '--size', size, '--seed', seed)
    return d
