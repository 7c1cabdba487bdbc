"""`hpa_run` end to end through its console script: the default run (the README's first command) with its run
folder, a submission that validates against sample_submission.csv and a test score clearly above the class-prior
baseline; and bad data folders that fail with a clear message and leave no submission."""
import json, shutil
from pathlib import Path
import pytest
from hpa_fastai.data import read_labels
from hpa_fastai.predict import read_submission, score_submission
from clitools import run, synth_set

SMALL = ['--size', '64', '--bs', '16', '--tta', '4', '--device', 'cpu']


@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 40, 8, 64, 0)

def test_hpa_run_default_learns(tmp_path):
    "The README's first command as written (only --out added): the synthetic default, about 5 minutes here"
    out = tmp_path/'run'
    r = run('hpa_run', '--out', out, '--device', 'cpu')
    assert 'test macro F1' in r.stdout and 'mean ROC AUC' in r.stdout
    for f in ('submission.csv', 'submission_probs.csv', 'metrics.json', 'run.json', 'label_counts.png', 'lr_find.png',
              'curves.png', 'f1_per_class.png', 'thresholds.png', 'folds.csv', 'stats.json', 'train/model.pth',
              'report.html', 'per_class.csv', 'interpret_top_losses.png', 'interpret_confusion.png'):
        assert (out/f).exists(), f
    rj = json.loads((out/'run.json').read_text())
    data = Path(rj['data'])
    ids = read_labels(data/'sample_submission.csv').Id.tolist()
    assert read_submission(out/'submission.csv', ids).Id.tolist() == ids
    m = json.loads((out/'metrics.json').read_text())
    s = score_submission(out/'submission.csv', data/'test_labels.csv')
    assert abs(s['f1_macro'] - m['test_f1_macro']) < 1e-12
    assert m['test_f1_macro'] > 1.5 * m['prior_f1_macro_test'], m  # far above the class-prior baseline
    assert m['test_macro_auc'] > 0.65 and m['valid_macro_auc'] > 0.65, m  # far better than chance (0.5); measured test 0.705-0.713, valid 0.686-0.746
    assert rj['seed'] == 0 and 'hpa_run' in rj['command'][0] and rj['settings']['size'] == 80
    assert m['seconds']['total'] < 600, m['seconds']  # the 10-minute budget on a 2-core CPU
    r = run('hpa_run', '--out', out, *SMALL, ok=False)
    assert r.returncode != 0 and 'finished run' in r.stderr

def test_bad_data_folders(synth, tmp_path):
    bad = tmp_path/'bad'; shutil.copytree(synth, bad); (bad/'train.csv').unlink()
    r = run('hpa_run', '--data', bad, '--out', tmp_path/'r1', *SMALL, ok=False)
    assert r.returncode != 0 and 'no train.csv' in r.stderr and str(bad) in r.stderr
    assert not (tmp_path/'r1'/'submission.csv').exists()
    shutil.copyfile(synth/'train.csv', bad/'train.csv')
    victim = sorted((bad/'train').glob('*_green.png'))[7]; victim.unlink()
    r = run('hpa_run', '--data', bad, '--out', tmp_path/'r2', '--epochs', 1, *SMALL, ok=False)
    assert r.returncode != 0 and victim.name in r.stderr and 'missing' in r.stderr
    assert not (tmp_path/'r2'/'submission.csv').exists()
