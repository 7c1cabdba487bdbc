"""The training, prediction and scoring console scripts end to end on a tiny synthetic set, including a
training process killed mid-run and resumed (what a notebook cannot do: kill a process)."""
import json, signal, subprocess, time
from pathlib import Path
import pandas as pd, pytest
from hpa_fastai.data import read_labels
from hpa_fastai.predict import read_submission
from clitools import BIN, run, synth_set

TRAIN = ['--arch', 'resnet18', '--size', '64', '--bs', '16', '--warmup', '1', '--lr_find_iters', '5', '--device', 'cpu']


@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 60, 12, 64, 5)

def test_train_kill_resume_predict_score(synth, tmp_path):
    out = tmp_path/'run'
    p = subprocess.Popen([str(BIN/'hpa_train'), '--data', str(synth), '--out', str(out), '--epochs', '3', *TRAIN],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0, h = time.time(), out/'history.csv'
    def mid_cycle():  # the checkpoint of the first epoch of the one-cycle (after the warm-up) is written: its row, then last.pth
        return h.exists() and len(h.read_text().splitlines()) >= 3 and (out/'last.pth').exists() and (out/'last.pth').stat().st_mtime >= h.stat().st_mtime
    while not mid_cycle() and p.poll() is None and time.time() - t0 < 300: time.sleep(0.02)
    p.send_signal(signal.SIGKILL); p.wait()
    if (out/'run.json').exists(): pytest.skip('training finished before it could be killed')
    assert (out/'last.pth').exists() and not (out/'model.pth').exists()
    r = run('hpa_train', '--data', synth, '--out', out, '--epochs', '3', *TRAIN, ok=False)
    assert r.returncode != 0 and 'interrupted run' in r.stderr and '--resume' in r.stderr
    r = run('hpa_train', '--data', synth, '--out', out, '--epochs', '4', *TRAIN, '--resume', ok=False)
    assert r.returncode != 0 and 'other settings' in r.stderr and 'epochs' in r.stderr
    run('hpa_train', '--data', synth, '--out', out, '--epochs', '3', *TRAIN, '--resume')
    h = pd.read_csv(out/'history.csv')
    assert h.epoch.tolist() == [0, 1, 2, 3] and h.stage.tolist() == ['warmup'] + ['train'] * 3
    whole = tmp_path/'whole'; run('hpa_train', '--data', synth, '--out', whole, '--epochs', '3', *TRAIN)  # the same run, not interrupted
    hw = pd.read_csv(whole/'history.csv')  # the resumed epochs log what it logs: the smoothed training loss went on from the checkpoint
    pd.testing.assert_frame_equal(h.drop(columns='seconds'), hw.drop(columns='seconds'))
    assert not (out/'last.pth').exists() and (out/'model.pth').exists() and (out/'thresholds.json').exists()
    cfg = json.loads((out/'run.json').read_text())
    assert cfg['arch'] == 'resnet18' and cfg['size'] == 64 and len(cfg['mean']) == 4 and cfg['lr'] > 0

    sub = tmp_path/'sub'/'submission.csv'
    run('hpa_predict', '--runs', out, '--data', synth, '--tta', 4, '--out', sub, '--device', 'cpu')
    ids = read_labels(synth/'sample_submission.csv').Id.tolist()
    assert read_submission(sub, ids).Id.tolist() == ids
    s = json.loads(run('hpa_score', '--submission', sub, '--labels', synth/'test_labels.csv', '--as_json').stdout)
    assert 0 <= s['f1_macro'] <= 1 and len(s['f1_per_class']) == 28 and s['n'] == 12

    r = run('hpa_train', '--data', synth, '--out', out, '--epochs', '3', *TRAIN, ok=False)
    assert r.returncode != 0 and 'finished run' in r.stderr
    r = run('hpa_predict', '--runs', tmp_path/'nope', '--data', synth, '--out', tmp_path/'x.csv', ok=False)
    assert r.returncode != 0 and 'nope' in r.stderr and not (tmp_path/'x.csv').exists()
    bad = tmp_path/'bad.csv'; bad.write_text('Id,Predicted\n' + ''.join(f'{i},1 30\n' for i in ids))
    r = run('hpa_score', '--submission', bad, '--labels', synth/'test_labels.csv', ok=False)
    assert r.returncode != 0 and "label '30'" in r.stderr and ids[0] in r.stderr

def test_worker_error_one_line(synth, tmp_path):
    "An image that fails in a loader worker process (--num_workers 1) ends the run with the one line naming its Id and file"
    import shutil
    data = tmp_path/'data'; shutil.copytree(synth, data)
    for f in (data/'train').glob('*_green.png'): f.write_bytes(f.read_bytes()[:60])  # every green channel truncated
    stats = tmp_path/'stats.json'; stats.write_text(json.dumps({'mean': [.1] * 4, 'std': [.1] * 4, 'channels': ['red', 'green', 'blue', 'yellow']}))
    r = run('hpa_train', '--data', data, '--out', tmp_path/'run', '--stats', stats, '--num_workers', 1, '--epochs', 1, '--warmup', 0,
            '--arch', 'resnet18', '--size', 32, '--bs', 8, '--lr', 1e-2, '--skip_lr_find', '--device', 'cpu', ok=False)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 1 and len(lines) == 1, r.stderr[-3000:]
    assert lines[0].startswith('hpa_train: Id ') and 'unreadable or truncated PNG' in lines[0] and '_green.png' in lines[0], lines[0]

def test_head_average_accumulate_through_the_commands(synth, tmp_path):
    "hpa_train --head attention --swa 0 --accumulate 2: recorded in run.json, the averaging decided, and hpa_predict loads that head"
    out = tmp_path/'att'
    run('hpa_train', '--data', synth, '--out', out, '--epochs', '2', '--head', 'attention', '--swa', '0', '--accumulate', '2',
        '--lr', '1e-2', '--skip_lr_find', *TRAIN)
    cfg = json.loads((out/'run.json').read_text())
    assert (cfg['head'], cfg['swa'], cfg['accumulate'], cfg['ema']) == ('attention', 0, 2, None)
    assert json.loads((out/'average.json').read_text())['chosen'] in ('averaged', 'trained')
    run('hpa_predict', '--runs', out, '--data', synth, '--out', tmp_path/'s.csv', '--tta', '1', '--device', 'cpu')
    assert len(read_submission(tmp_path/'s.csv')) == len(read_labels(synth/'sample_submission.csv'))
    r = run('hpa_train', '--data', synth, '--out', tmp_path/'bad', '--epochs', '2', '--ema', '0.99', '--swa', '0', *TRAIN, ok=False)
    assert r.returncode == 1 and '--swa must be a whole epoch of the main stage' in r.stderr
