"""End-to-end runs of the console scripts on small synthetic sets (what does not fit a notebook)."""
import json
from pathlib import Path
import numpy as np, pandas as pd, pytest
from hpa_fastai.core import CHANNELS, encode_targets
from hpa_fastai.data import open_rgby, read_labels
from hpa_fastai.stats import load_stats
from clitools import run, synth_set


def tree(d):
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(Path(d).rglob('*')) if p.is_file()}

@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 12, 4, 96, 3)

def test_synth_layout(synth):
    df = read_labels(synth/'train.csv')
    test = read_labels(synth/'sample_submission.csv')
    hidden = read_labels(synth/'test_labels.csv')
    assert len(df) == 12 and len(test) == 4 and list(hidden.Id) == list(test.Id)
    assert set(df.Id).isdisjoint(test.Id)
    assert encode_targets(df.Target).sum(1).min() >= 1
    for split, ids in (('train', df.Id), ('test', test.Id)):
        for i in ids:
            x = open_rgby(synth/split, i)
            assert x.shape == (4, 96, 96) and x.dtype == np.uint8 and x.std() > 0
    assert len(list((synth/'train').glob('*.png'))) == 48 and len(list((synth/'test').glob('*.png'))) == 16

def test_synth_byte_identical(synth, tmp_path):
    run('hpa_synth', '--out', tmp_path/'again', '--n', 12, '--n_test', 4, '--size', 96, '--seed', 3)
    assert tree(synth) == tree(tmp_path/'again')
    run('hpa_synth', '--out', tmp_path/'other', '--n', 12, '--n_test', 4, '--size', 96, '--seed', 4)
    assert tree(synth) != tree(tmp_path/'other')

def test_synth_bad_size(tmp_path):
    r = run('hpa_synth', '--out', tmp_path/'x', '--n', 2, '--size', 32, ok=False)
    assert r.returncode != 0 and 'size' in r.stderr
    assert not (tmp_path/'x'/'train.csv').exists()

def test_stats_cli_exact(synth, tmp_path):
    out = tmp_path/'stats.json'
    run('hpa_stats', '--data', synth, '--out', out, '--workers', 2)
    ids = read_labels(synth/'train.csv').Id
    st = np.stack([open_rgby(synth/'train', i) for i in ids]) / 255
    mean, std = load_stats(out)
    np.testing.assert_allclose(mean, st.mean((0, 2, 3)), atol=1e-6)
    np.testing.assert_allclose(std, st.std((0, 2, 3)), atol=1e-6)
    assert json.loads(out.read_text())['channels'] == list(CHANNELS)

def test_stats_cli_missing_image(synth, tmp_path):
    import shutil
    d = tmp_path/'broken'; shutil.copytree(synth, d)
    victim = read_labels(d/'train.csv').Id[5]
    (d/'train'/f'{victim}_yellow.png').unlink()
    r = run('hpa_stats', '--data', d, '--out', tmp_path/'s.json', ok=False)
    assert r.returncode != 0 and f'{victim}_yellow.png' in r.stderr and 'missing channel file' in r.stderr
    assert not (tmp_path/'s.json').exists()

def test_split_cli(synth, tmp_path):
    out = tmp_path/'folds.csv'
    run('hpa_split', '--labels', synth/'train.csv', '--n_folds', 3, '--seed', 0, '--out', out)
    f = pd.read_csv(out, dtype={'Id': str})
    assert list(f.columns) == ['Id', 'fold'] and list(f.Id) == list(read_labels(synth/'train.csv').Id)
    assert sorted(np.bincount(f.fold)) == [4, 4, 4]
    run('hpa_split', '--labels', synth/'train.csv', '--n_folds', 3, '--seed', 0, '--out', tmp_path/'again.csv')
    assert out.read_bytes() == (tmp_path/'again.csv').read_bytes()
    r = run('hpa_split', '--labels', synth/'train.csv', '--n_folds', 20, '--out', tmp_path/'bad.csv', ok=False)
    assert r.returncode != 0 and 'n_folds' in r.stderr and not (tmp_path/'bad.csv').exists()

def test_help_lists_every_option(capsys):
    "Each console script's --help has an option for every parameter of its function (but the few not meant for a shell), with its docment"
    import configparser, importlib
    from fastcore.docments import docments
    cfg = configparser.ConfigParser(); cfg.read(Path(__file__).parents[1]/'settings.ini')
    scripts = dict(l.replace(' ', '').split('=') for l in cfg['DEFAULT']['console_scripts'].split('\n') if l.strip())
    assert len(scripts) == 11
    for name, target in scripts.items():
        mod, attr = target.split(':'); func = getattr(importlib.import_module(mod), attr.removesuffix('.cli'))
        with pytest.raises(SystemExit) as e: func.cli(['--help'])
        assert e.value.code == 0
        h = ' '.join(capsys.readouterr().out.split())  # argparse wraps lines
        assert h.startswith(f'usage: {name} ')
        for k, v in docments(func, full=True, returns=False).items():
            if k in ('progress', 'synth'): assert f'--{k}' not in h, (name, k); continue  # a progress bar, a dict of settings
            assert f'--{k} ' in h and ' '.join(v.docment.split()) in h, (name, k, v.docment)

def test_closed_stdout_is_not_an_error(synth, tmp_path):
    "`hpa_split ... | head -0`: the reader of stdout is gone when the finished command prints; exit 0, nothing on stderr"
    import subprocess
    from clitools import BIN
    p = subprocess.Popen([str(BIN/'hpa_split'), '--labels', str(synth/'train.csv'), '--n_folds', '3', '--out', str(tmp_path/'f.csv')],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader left before the command printed anything
    err = p.stderr.read().decode(); p.wait()
    assert (p.returncode, err) == (0, ''), (p.returncode, err[-2000:])
    assert (tmp_path/'f.csv').read_text().startswith('Id,fold')
