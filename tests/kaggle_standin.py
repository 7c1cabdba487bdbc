"""A stand-in for the Kaggle input folder, to run the notebooks as a Kaggle kernel would see the data.

The real competition images (~30 GB) cannot be downloaded here, but `../shared/data/hpa/` has the real
`train.csv` (31,072 rows), the real `sample_submission.csv` (11,702 Ids) and 36 real 512 px channel PNGs.
`make_standin` lays those out exactly as `/kaggle/input/human-protein-atlas-image-classification` is laid
out: every Id of both CSVs gets its four channel files, each a symbolic link to a real PNG of that colour
(picked by the Id), and there is no `test_labels.csv` (Kaggle keeps the answers). Pixels and labels are both
real, but they do not belong together, so nothing trained on it can learn: it checks that the notebooks run
unchanged on real files, real label frequencies and the real folder size, not what they score.
"""
import os, shutil, zlib
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent/'shared'/'data'/'hpa'
CHANNELS = ('red', 'green', 'blue', 'yellow')

def real_pngs(shared=SHARED):
    "The real single-channel PNGs that ship beside the project, by colour"
    files = sorted((shared/'channel_samples').glob('*.png')) + sorted((shared/'train_sample').glob('*.png'))
    return {c: [f for f in files if f.name.endswith(f'_{c}.png')] for c in CHANNELS}

def make_standin(out, shared=SHARED):
    "Write the stand-in folder at `out` (train.csv, sample_submission.csv, train/, test/) and return it"
    out, pngs = Path(out), real_pngs(shared)
    if not all(pngs.values()): raise FileNotFoundError(f"{shared}: need real PNGs of every colour, found {pngs}")
    out.mkdir(parents=True, exist_ok=True)
    for split, csv in [('train', 'train.csv'), ('test', 'sample_submission.csv')]:
        shutil.copyfile(shared/csv, out/csv); (out/split).mkdir(exist_ok=True)
        for line in (shared/csv).read_text().splitlines()[1:]:
            i = line.split(',')[0]
            for c in CHANNELS:
                src = pngs[c][zlib.crc32(f'{i}{c}'.encode()) % len(pngs[c])]
                os.symlink(src, out/split/f'{i}_{c}.png')
    return out
