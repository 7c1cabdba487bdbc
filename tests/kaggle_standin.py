"""A stand-in for the Kaggle input folder, to run the notebooks as a Kaggle kernel would see the data.

The real competition images (~30 GB) are not in the repository, but `real_data/` has the real `train.csv`
(31,072 rows), the real `sample_submission.csv` (11,702 Ids) and 20 complete real 512 px samples.
`make_standin` lays those out exactly as `/kaggle/input/human-protein-atlas-image-classification` is laid
out: every Id of both CSVs gets its four channel files, each a symbolic link to a real PNG of that colour
(picked by the Id), and there is no `test_labels.csv` (Kaggle keeps the answers). Pixels and labels are both
real, but they do not belong together, so nothing trained on it can learn: it checks that the notebooks run
unchanged on real files, real label frequencies and the real folder size, not what they score.
"""
import gzip, os, zlib
from pathlib import Path

REAL_DATA = Path(__file__).resolve().parents[1]/'real_data'  # shipped with the repository (CC BY-SA 3.0, see its README)
REAL_SAMPLES = REAL_DATA/'samples'  # 20 complete real samples: train.csv and train/{Id}_{colour}.png
CHANNELS = ('red', 'green', 'blue', 'yellow')

def real_pngs(real=REAL_SAMPLES):
    "The real single-channel PNGs that ship with the repository, by colour"
    files = sorted((real/'train').glob('*.png'))
    return {c: [f for f in files if f.name.endswith(f'_{c}.png')] for c in CHANNELS}

def make_standin(out, real=REAL_DATA):
    "Write the stand-in folder at `out` (train.csv, sample_submission.csv, train/, test/) and return it"
    out, pngs = Path(out), real_pngs(real/'samples')
    if not all(pngs.values()): raise FileNotFoundError(f"{real}: need real PNGs of every colour, found {pngs}")
    out.mkdir(parents=True, exist_ok=True)
    for split, csv in [('train', 'train.csv'), ('test', 'sample_submission.csv')]:
        text = gzip.decompress((real/f'{csv}.gz').read_bytes()).decode()
        (out/csv).write_text(text); (out/split).mkdir(exist_ok=True)
        for line in text.splitlines()[1:]:
            i = line.split(',')[0]
            for c in CHANNELS:
                src = pngs[c][zlib.crc32(f'{i}{c}'.encode()) % len(pngs[c])]
                os.symlink(src, out/split/f'{i}_{c}.png')
    return out
