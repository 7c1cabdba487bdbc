"""Run every benchmark in bench/ (not part of CI): `python bench/run_all.py`.
Each prints its figures as ratios against a baseline measured in the same run, next to the issue's goal."""
import subprocess, sys
from pathlib import Path

here = Path(__file__).resolve().parent
fails = 0
for f in sorted(here.glob('bench_*.py')):
    print(f"\n===== {f.name}", flush=True)
    fails += subprocess.run([sys.executable, str(f)]).returncode != 0
sys.exit(fails)
