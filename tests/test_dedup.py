"""Duplicates across folders (`hpa_dedup`) and splits that keep them together: bad input in one line, `hpa_split
--groups` never splitting a group, and `hpa_run --extra` dropping planted external copies of its validation images."""
import json, shutil
from pathlib import Path
import numpy as np, pandas as pd, pytest
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import open_rgby, read_labels, write_png
from hpa_fastai.dedup import field_copy, hpa_dedup
from clitools import run, synth_set

REAL = Path(__file__).parent.parent/'real_data'

def _kaggle(d:Path, ids, src=REAL/'samples'):
    "A Kaggle-layout folder of real samples `ids` (train/ and train.csv)"
    (d/'train').mkdir(parents=True)
    for i in ids:
        for c in CHANNELS: shutil.copy(src/'train'/f'{i}_{c}.png', d/'train'/f'{i}_{c}.png')
    read_labels(src/'train.csv').set_index('Id').loc[ids].reset_index().to_csv(d/'train.csv', index=False)
    return d

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    w = tmp_path_factory.mktemp('dedup'); ids = read_labels(REAL/'samples'/'train.csv').Id.tolist()[:4]
    _kaggle(w/'data', ids); (w/'user').mkdir(); (w/'user'/'notes.txt').write_text('mine')
    (w/'noimg'/'train').mkdir(parents=True); shutil.copy(w/'data'/'train.csv', w/'noimg')
    for name, shapes in (('sizes', {'green': (32, 32)}), ('oblong', {c: (64, 32) for c in CHANNELS})):
        d = w/name; (d/'train').mkdir(parents=True); pd.DataFrame({'Id': ['odd1'], 'Target': ['0']}).to_csv(d/'train.csv', index=False)
        for c in CHANNELS: write_png(d/'train'/f'odd1_{c}.png', np.full(shapes.get(c, (64, 64)), 9, np.uint8))
    (w/'file.txt').write_text('x')
    return w

@pytest.mark.parametrize('args,msg', [
    ('--data nope --out o', 'nope: no such folder'),
    ('--data file.txt --out o', 'file.txt: is a file, expected a Kaggle-layout folder'),
    ('--data user --out o', 'user: neither train.csv nor sample_submission.csv'),
    ('--data noimg --out o', 'noimg/train: no images (4 Ids in its label file'),
    ('--data sizes --out o', 'Id odd1: channels differ in size red=64x64, green=32x32'),
    ('--data oblong --out o', 'Id odd1: a 32x64 plane is not a square staining'),
    ('--data data --out user', '--out user: holds files hpa_dedup did not make'),
    ('--data data --out data/d', '--out data/d: lies inside the input folder --data'),
    ('--data data data --out o', 'is in both train and data'),
    ('--data data --max_dist 64 --out o', '--max_dist must be a whole number in 0..31'),
])
def test_bad_input_one_line(world, args, msg, monkeypatch, capsys):
    "In process (the console script's wrapper is the one every command shares, tested in test_cli.py)"
    monkeypatch.chdir(world)
    with pytest.raises(SystemExit) as e: hpa_dedup.cli([*args.split(), '--threads', '1'])
    assert str(e.value.code).startswith('hpa_dedup: ') and msg in str(e.value.code) and '\n' not in str(e.value.code), e.value.code
    assert not (world/'o'/'duplicates.csv').exists()

def test_split_groups_never_split(tmp_path):
    "hpa_split --groups keeps every group in one fold; without it, the same labels split groups (so the test can fail)"
    lab = read_labels(REAL/'train.csv.gz').iloc[:3000]; lab.to_csv(tmp_path/'labels.csv', index=False)
    rng = np.random.default_rng(0); g = np.repeat(np.arange(3000), rng.integers(1, 5, 3000))[:3000]  # groups of 1-4 rows
    pd.DataFrame({'Id': lab.Id, 'group': g}).to_csv(tmp_path/'groups.csv', index=False)
    for extra, out in (([], 'plain.csv'), (['--groups', tmp_path/'groups.csv'], 'grouped.csv')):
        run('hpa_split', '--labels', tmp_path/'labels.csv', '--out', tmp_path/out, *extra)
    spread = lambda f: pd.read_csv(tmp_path/f).assign(g=g).groupby('g').fold.nunique().max()
    assert spread('grouped.csv') == 1 and spread('plain.csv') > 1

def test_hpa_run_extra_drops_copies_of_validation(tmp_path_factory, tmp_path):
    "Planted external copies (flipped, JPEG) of 20 training images: those of validation images are dropped, and the run says so"
    data = synth_set(tmp_path_factory, 40, 8, 64, 0); other = synth_set(tmp_path_factory, 6, 0, 64, 7)
    ext = tmp_path/'ext'; (ext/'train').mkdir(parents=True)
    lab, rows = read_labels(data/'train.csv'), []
    for n, i in enumerate(lab.Id[:20]):
        x = field_copy(open_rgby(data/'train', i), ('dihedral', 'jpeg')[n % 2], seed=n)[0]
        for c, p in zip(CHANNELS, x): write_png(ext/'train'/f'copy{n}_{c}.png', p)
        rows.append((f'copy{n}', lab.Target[n]))
    for n, (i, t) in enumerate(read_labels(other/'train.csv')[['Id', 'Target']].values):  # new fields: kept
        for c in CHANNELS: shutil.copy(other/'train'/f'{i}_{c}.png', ext/'train'/f'new{n}_{c}.png')
        rows.append((f'new{n}', t))
    pd.DataFrame(rows, columns=['Id', 'Target']).to_csv(ext/'train.csv', index=False)
    out = tmp_path/'run'
    r = run('hpa_run', '--data', data, '--extra', ext, '--out', out, '--size', 32, '--epochs', 1, '--warmup', 0, '--tta', 1,
            '--lr_find_iters', 10, '--bs', 16, '--device', 'cpu')
    folds = pd.read_csv(out/'folds.csv').set_index('Id').fold
    dup = pd.read_csv(out/'duplicates.csv'); groups = pd.read_csv(out/'groups.csv').set_index('Id').group
    assert sorted(dup.Id2) == sorted(f'copy{n}' for n in range(20)), dup  # every planted copy found, nothing else
    for n, i in enumerate(lab.Id[:20]): assert groups[f'copy{n}'] == i
    expect = int((folds[lab.Id[:20]] == 0).sum()); assert expect > 0
    m = json.loads((out/'metrics.json').read_text()); rj = json.loads((out/'train'/'run.json').read_text())
    assert m['copies_dropped'] == {'train': 0, 'extra': expect} == rj['copies_dropped']
    assert rj['n_train'] == int((folds != 0).sum()) + 26 - expect
    assert f"{expect} extra and 0 training images left out of training" in r.stdout
