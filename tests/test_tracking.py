"""`hpa_train --log tensorboard` end to end: the event files hold history.csv's epochs and values, then the run's
per-class F1 and thresholds at its last epoch; an unknown tracker is one line, before any work."""
import json
import numpy as np, pandas as pd, pytest
from hpa_fastai.core import LABELS
from hpa_fastai.tracking import read_scalars
from clitools import run, synth_set


@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 48, 0, 64, 7)

def test_train_logs_to_tensorboard(synth, tmp_path):
    out = tmp_path/'run'
    run('hpa_train', '--data', synth, '--out', out, '--arch', 'resnet18', '--size', 32, '--bs', 16, '--epochs', 2, '--warmup', 1,
        '--lr', 1e-2, '--skip_lr_find', '--device', 'cpu', '--log', 'tensorboard')
    h, r, s = pd.read_csv(out/'history.csv'), json.loads((out/'run.json').read_text()), read_scalars(out/'tensorboard')
    assert h.epoch.tolist() == [0, 1, 2] and r['log'] == 'tensorboard'
    for tag, col in (('loss/train', 'train_loss'), ('loss/valid', 'valid_loss'), ('f1_macro/valid', 'f1_macro')):
        pts = s[s.tag == tag]
        assert pts.step.tolist() == h.epoch.tolist(), tag  # one point per epoch, at history.csv's epoch
        np.testing.assert_allclose(pts.value.values, h[col].values, rtol=0, atol=1e-6, err_msg=tag)
    last = s[s.step == h.epoch.max()].set_index('tag').value
    names = [f'{i:02d}_{n.replace(" ", "_")}' for i, n in enumerate(LABELS)]
    assert sorted(t for t in s.tag.unique() if t.startswith('valid_f1_per_class/')) == [f'valid_f1_per_class/{n}' for n in names]
    th = json.loads((out/'thresholds.json').read_text())['thresholds']
    np.testing.assert_allclose(last[[f'threshold/{n}' for n in names]].values, th, rtol=0, atol=1e-6)
    f1 = last[[f'valid_f1_per_class/{n}' for n in names]].values  # at the tuned thresholds: their mean is run.json's tuned macro F1
    assert abs(f1.mean() - r['valid_f1_macro_tuned_on_itself']) < 1e-6 and ((0 <= f1) & (f1 <= 1)).all()
    for tag, key in (('f1_macro_final/valid', 'valid_f1_macro'), ('f1_macro_tuned/valid', 'valid_f1_macro_tuned_on_itself'),
                     ('f1_macro_prior/valid', 'prior_f1_macro')):
        assert abs(last[tag] - r[key]) < 1e-6, tag

def test_unknown_tracker_is_one_line(synth, tmp_path, capsys):
    """`--log wandb`: one line naming the option, before any work. In this process, through the console script's own entry point
    (`hpa_train.cli`; a process of its own costs seconds of imports): the message it exits with is what the process prints"""
    from hpa_fastai.train import hpa_train
    out = tmp_path/'bad'
    with pytest.raises(SystemExit) as e: hpa_train.cli(['--data', str(synth), '--out', str(out), '--log', 'wandb', '--device', 'cpu'])
    assert e.value.code == "hpa_train: --log must be one of tensorboard, got 'wandb'", e.value.code
    assert capsys.readouterr().err == '' and not out.exists()
