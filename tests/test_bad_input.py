"""Every console script against bad input: each case must exit non-zero with one line on stderr that starts with the
script's name and names the culprit (file, line, Id or option), print no traceback, and leave the whole temporary tree
exactly as it was (nothing created outside or inside --out, nothing changed, no temp file left; checked by hashes).
Special files are a FIFO and symlinks made in the temporary folder, never a real device node.

The first case of each script runs the installed console script in its own process, as a user would (exit status,
all of stderr: no warning, no traceback); the others call the same entry point in this process (a new process per
case would cost seconds of imports each), where stderr is what the script printed plus the message it exits with."""
import configparser, hashlib, importlib, os, shutil, subprocess
from pathlib import Path
import pytest
from clitools import BIN, run, synth_set

@pytest.fixture(scope='module')
def world(tmp_path_factory):
    "A temporary tree holding everything the cases point at; the cases run with it as their working folder"
    w = tmp_path_factory.mktemp('world')
    syn = synth_set(tmp_path_factory, 24, 4, 64, 0)
    shutil.copytree(syn, w/'data')
    # the run every hpa_predict case reads; its folder first holds what a killed hpa_train left (its mark, two temp files of a
    # process that has ended), which the new start must remove (test_temps_cleaned)
    dead = subprocess.Popen(['true']); dead.wait()
    (w/'run'/'models').mkdir(parents=True); (w/'run'/'.hpa_fastai').write_text('hpa_train\n')
    for f in (w/'run'/f'.last.pth.tmp{dead.pid}.pth', w/'run'/'models'/f'.best.pth.tmp{dead.pid}.pth'): f.write_bytes(b'\0' * 1000)
    run('hpa_train', '--data', w/'data', '--out', w/'run', '--arch', 'resnet18', '--size', '32', '--epochs', '1', '--warmup', '0',
        '--bs', '8', '--lr', '1e-2', '--no-lr-find')
    kaggle = w/'kaggle'; shutil.copytree(w/'data', kaggle); (kaggle/'.hpa_fastai').unlink()  # a data folder we did not make
    (w/'user').mkdir(); (w/'user'/'notes.txt').write_text("the user's own notes\n")
    (w/'file.txt').write_text('a file\n'); os.mkfifo(w/'fifo')
    ids = (w/'data'/'train.csv').read_text().splitlines()[1:]
    evil = w/'evil'; evil.mkdir(); shutil.copytree(w/'data'/'train', evil/'train'); shutil.copytree(w/'data'/'test', evil/'test')
    (evil/'train.csv').write_text('Id,Target\n' + '\n'.join(ids[:-1] + ['../../x/PWNED_1,0']) + '\n')
    (evil/'sample_submission.csv').write_text('Id,Predicted\n/abs/path_1,0\n')
    (w/'hpav18.csv').write_text('Id,Target\n../../x/PWNED_1,0\n/abs/path_1,1\n')
    (w/'v18ok.csv').write_text('Id,Target\n10580_1610_C1_1,0\n')
    (w/'empty.csv').write_text('')
    pred = w/'predlabels'; pred.mkdir(); shutil.copytree(w/'data'/'train', pred/'train')
    (pred/'train.csv').write_text((w/'data'/'train.csv').read_text().replace('Id,Target', 'Id,Predicted', 1))
    dirch = w/'dirchannel'; shutil.copytree(w/'data', dirch); (dirch/'.hpa_fastai').unlink()
    victim = sorted((dirch/'train').glob('*_green.png'))[3]; victim.unlink(); victim.mkdir()
    notest = w/'notest'; notest.mkdir(); shutil.copy(w/'data'/'sample_submission.csv', notest)
    for name, content in (('zero', b''), ('junk', b'not weights at all'), ('pickle', None)):
        r = w/f'run_{name}'; shutil.copytree(w/'run', r)
        if content is None:
            subprocess.run([str(BIN/'python'), '-c', f"import torch, pathlib; torch.save({{'w': pathlib.Path('x')}}, {str(r/'model.pth')!r})"], check=True)
        else: (r/'model.pth').write_bytes(content)
    sub = w/'sub_digits.csv'; test_ids = [l.split(',')[0] for l in (w/'data'/'sample_submission.csv').read_text().splitlines()[1:]]
    sub.write_text('Id,Predicted\n' + '\n'.join(f"{i},{'٣' if k == 0 else '²' if k == 1 else '0'}" for k, i in enumerate(test_ids)) + '\n')
    return w

TRAIN = ['--data', 'data', '--arch', 'resnet18', '--size', '32', '--epochs', '1', '--warmup', '0', '--no-lr-find', '--lr', '1e-2']
RUN = ['--data', 'data', '--size', '32', '--epochs', '1', '--warmup', '0', '--tta', '1', '--device', 'cpu']

CASES = [  # (script, arguments, what the one line must contain)
    # 1. the atomic writer: special files and folders at --out are refused; symlinks are written through (test below)
    ('hpa_stats', ['--data', 'data', '--out', 'fifo'], 'fifo: exists and is not a regular file'),
    ('hpa_split', ['--labels', 'data/train.csv', '--out', 'fifo'], 'fifo: exists and is not a regular file'),
    ('hpa_predict', ['--run', 'run', '--data', 'data', '--out', 'fifo'], 'fifo: exists and is not a regular file'),
    ('hpa_stats', ['--data', 'data', '--out', 'user'], 'user: is a folder'),
    ('hpa_split', ['--labels', 'data/train.csv', '--out', 'user'], 'user: is a folder'),
    ('hpa_predict', ['--run', 'run', '--data', 'data', '--out', 'user'], 'user: is a folder'),
    # 2, 4. a folder the script did not make is refused, before any work
    ('hpa_train', ['--out', 'user', *TRAIN], 'user: holds files hpa_train did not make (e.g. notes.txt)'),
    ('hpa_train', ['--out', 'file.txt', *TRAIN], 'file.txt: is a file'),
    ('hpa_run', ['--out', 'user', *RUN], 'user: holds files hpa_run did not make'),
    ('hpa_run', ['--out', 'run', *RUN], 'run: was made by hpa_train, not hpa_run'),
    ('hpa_synth', ['--out', 'kaggle', '--n', '4', '--size', '64'], 'kaggle: holds files hpa_synth did not make'),
    ('hpa_synth', ['--out', 'run', '--n', '4', '--size', '64'], 'run: was made by hpa_train, not hpa_synth'),
    ('hpa_external', ['--list', 'v18ok.csv', '--out', 'kaggle', '--retries', '0'], 'kaggle: holds files hpa_external did not make'),
    ('hpa_cache', ['--data', 'data', '--size', '32', '--out', 'user'], 'user: holds files hpa_cache did not make'),
    # 3. Ids that are paths
    ('hpa_external', ['--list', 'hpav18.csv', '--out', 'v18', '--retries', '0'], "line 2: Id '../../x/PWNED_1' is not a valid sample Id"),
    ('hpa_train', ['--out', 'new', *TRAIN[2:], '--data', 'evil'], "line 25: Id '../../x/PWNED_1' is not a valid sample Id"),
    ('hpa_stats', ['--data', 'evil', '--out', 's.json'], "Id '../../x/PWNED_1' is not a valid sample Id"),
    ('hpa_split', ['--labels', 'evil/train.csv', '--out', 'f.csv'], 'evil/train.csv: 1 bad row(s): line 25'),
    ('hpa_cache', ['--data', 'evil', '--size', '32', '--out', 'c'], "Id '../../x/PWNED_1'"),
    ('hpa_predict', ['--run', 'run', '--data', 'evil', '--out', 's.csv'], "line 2: Id '/abs/path_1' is not a valid sample Id"),
    ('hpa_score', ['--submission', 'data/sample_submission.csv', '--labels', 'evil/train.csv'], "Id '../../x/PWNED_1'"),
    # 5. what used to be a traceback
    ('hpa_split', ['--labels', 'missing.csv', '--out', 'f.csv'], 'missing.csv: label file not found'),
    ('hpa_split', ['--labels', 'empty.csv', '--out', 'f.csv'], 'empty.csv: empty file'),
    ('hpa_split', ['--labels', 'data/train.csv', '--out', 'f.csv', '--n_folds', '1'], '--n_folds must be at least 2, got 1'),
    ('hpa_split', ['--labels', 'data/train.csv', '--out', 'f.csv', '--groups', 'missing.csv'], '--groups missing.csv: no such file'),
    ('hpa_stats', ['--data', 'data', '--out', 's.json', '--size', '0'], '--size must be at least 1, got 0'),
    ('hpa_stats', ['--data', 'missing', '--out', 's.json'], 'missing/train.csv: label file not found'),
    ('hpa_stats', ['--data', 'dirchannel', '--out', 's.json', '--workers', '1'], 'is a folder, not a PNG file'),
    ('hpa_stats', ['--data', 'predlabels', '--out', 's.json'], "predlabels/train.csv: missing column 'Target'"),
    ('hpa_cache', ['--data', 'data', '--size', '0', '--out', 'c'], '--size must be at least 16, got 0'),
    ('hpa_cache', ['--data', 'empty', '--size', '32', '--out', 'c'], 'empty/train.csv: label file not found'),
    ('hpa_synth', ['--out', 'syn', '--size', '0'], '--size must be within 64..512, got 0'),
    ('hpa_synth', ['--out', 'syn', '--n', '0'], '--n must be at least 1, got 0'),
    ('hpa_synth', ['--out', 'syn', '--n', 'many'], "argument --n: invalid int value: 'many'"),
    ('hpa_train', ['--out', 'new', *TRAIN, '--size', '0'], '--size must be a whole number of pixels, at least 32, got 0'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--bs', '0'], '--bs must be a whole number, at least 1, got 0'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--lr', 'abc'], "argument --lr: invalid float value: 'abc'"),
    ('hpa_train', ['--out', 'new', *TRAIN[2:], '--data', 'predlabels'], "predlabels/train.csv: missing column 'Target'"),
    ('hpa_train', ['--out', 'new', *TRAIN[2:], '--data', 'missing'], 'missing/train.csv: label file not found'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--folds', 'missing.csv'], '--folds missing.csv: no such file'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--weights', 'missing.pth'], '--weights missing.pth: no such file'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--fold', '5'], '--fold must be in 0..4'),
    ('hpa_predict', ['--run', 'run_zero', '--data', 'data', '--out', 's.csv'], 'run_zero/model.pth: empty model file'),
    ('hpa_predict', ['--run', 'run_junk', '--data', 'data', '--out', 's.csv'], 'run_junk/model.pth: not a PyTorch model file'),
    ('hpa_predict', ['--run', 'run_pickle', '--data', 'data', '--out', 's.csv'], 'run_pickle/model.pth: not a plain model file'),
    ('hpa_predict', ['--run', 'run', '--data', 'notest', '--out', 's.csv'], '--data notest: no test/ folder'),
    ('hpa_predict', ['--run', 'user', '--data', 'data', '--out', 's.csv'], 'user: not a finished run'),
    ('hpa_predict', ['--run', 'run', '--data', 'data', '--out', 's.csv', '--tta', '0'], '--tta must be in 1..8'),
    ('hpa_predict', ['--run', 'run', '--data', 'data', '--out', 's.csv', '--bs', '0'], '--bs must be at least 1'),
    ('hpa_run', ['--out', 'r', *RUN, '--tta', '9'], '--tta must be in 1..8'),
    ('hpa_run', ['--out', 'r', *RUN, '--folds', '1'], '--folds must be a whole number, at least 2'),
    ('hpa_run', ['--out', 'r', *RUN, '--size', '8'], '--size must be a whole number of pixels, at least 32, got 8'),
    # 6, 7. accepted silently or checked too late before
    ('hpa_train', ['--out', 'new', *TRAIN, '--lr', '-1'], '--lr must be a positive number, got -1.0'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--epochs', '-1'], '--epochs must be a whole number, at least 0, got -1'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--epochs', '0', '--warmup', '0'], '--epochs + --warmup must be at least 1, got 0 + 0'),
    ('hpa_train', ['--out', 'new', *TRAIN, '--size', '64', '--crop', '128'], '--crop must be at least 32 and at most --size (64), got 128'),
    ('hpa_run', ['--out', 'r', *RUN, '--lr', '-1'], '--lr must be a positive number, got -1.0'),
    ('hpa_run', ['--out', 'r', *RUN, '--epochs', '0', '--warmup', '0'], '--epochs + --warmup must be at least 1'),
    # 10. labels that only look like digits, empty files
    ('hpa_score', ['--submission', 'sub_digits.csv', '--labels', 'data/test_labels.csv'], "label '٣' is not an integer in 0..27"),
    ('hpa_score', ['--submission', 'sub_digits.csv', '--labels', 'data/test_labels.csv'], "label '²' is not an integer in 0..27"),
    ('hpa_score', ['--submission', 'empty.csv', '--labels', 'data/test_labels.csv'], 'empty.csv: empty file'),
    ('hpa_score', ['--submission', 'data/sample_submission.csv', '--labels', 'empty.csv'], 'empty.csv: empty file'),
    ('hpa_score', ['--submission', 'data/sample_submission.csv', '--labels', 'data/sample_submission.csv'], "missing column 'Target'"),
]

def snapshot(root:Path)->dict:
    "Every path under `root` (links not followed) with its kind and, for files, a hash of its bytes"
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = Path(d)/n; rel = str(p.relative_to(root))
            if p.is_symlink(): out[rel] = ('link', os.readlink(p))
            elif p.is_dir(): out[rel] = ('dir',)
            elif p.is_file(): out[rel] = ('file', hashlib.sha1(p.read_bytes()).hexdigest())
            else: out[rel] = ('special',)
    return out

def _scripts()->dict:
    "console script -> 'module:function', from settings.ini"
    cfg = configparser.ConfigParser(); cfg.read(Path(__file__).parents[1]/'settings.ini')
    return dict(l.replace(' ', '').split('=') for l in cfg['DEFAULT']['console_scripts'].split('\n') if l.strip())

def _in_process(script, args, world, monkeypatch, capsys):
    "Call the script's entry point here: (exit status, stderr) as the console would show them"
    mod, fn = _scripts()[script].split(':')
    monkeypatch.chdir(world); monkeypatch.delenv('HPA_DEBUG', raising=False); capsys.readouterr()
    with pytest.raises(SystemExit) as e: getattr(importlib.import_module(mod), fn)(list(args))
    err = capsys.readouterr().err; code = e.value.code
    return (1, err + code + '\n') if isinstance(code, str) else (code, err)

def check_refused(world, script, args, frag, monkeypatch=None, capsys=None):
    "Run one case (in a new process without `monkeypatch`); assert exit, message and an untouched tree"
    before = snapshot(world)
    if monkeypatch is None:
        r = subprocess.run([str(BIN/script), *args], capture_output=True, text=True, cwd=world, env={**os.environ, 'HPA_DEBUG': ''})
        rc, stderr = r.returncode, r.stderr
    else: rc, stderr = _in_process(script, args, world, monkeypatch, capsys)
    assert rc != 0, (script, args)
    assert 'Traceback' not in stderr, stderr[-3000:]
    lines = [l for l in stderr.replace('\r', '\n').splitlines() if l.strip()]
    mine = [l for l in lines if l.startswith(f'{script}: ')]
    assert len(mine) == 1 and lines[-1] == mine[0], stderr[-3000:]  # one line, the last (a progress bar may come before it)
    assert frag in mine[0], (frag, mine[0])
    if monkeypatch is None: assert lines == mine, lines  # nothing else on stderr: no warning either
    after = snapshot(world)
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}

FIRST = {s: i for i, (s, _, _) in reversed(list(enumerate(CASES)))}  # each script's first case runs as its own process

@pytest.mark.parametrize('i', range(len(CASES)), ids=[f'{s}-{i}' for i, (s, _, _) in enumerate(CASES)])
def test_refused(world, i, monkeypatch, capsys):
    script, args, frag = CASES[i]
    if FIRST[script] == i: check_refused(world, script, args, frag)
    else: check_refused(world, script, args, frag, monkeypatch, capsys)

def test_every_script_covered():
    "Each console script has cases"
    assert set(_scripts()) == {s for s, _, _ in CASES}, set(_scripts()) ^ {s for s, _, _ in CASES}

def test_symlink_written_through(world, tmp_path):
    "--out through a symlink replaces the target and keeps the link"
    (tmp_path/'target.csv').write_text('old\n'); (tmp_path/'link.csv').symlink_to(tmp_path/'target.csv')
    run('hpa_split', '--labels', world/'data'/'train.csv', '--out', tmp_path/'link.csv')
    assert (tmp_path/'link.csv').is_symlink() and (tmp_path/'target.csv').read_text().startswith('Id,fold')

def test_temps_cleaned(world):
    "A new start of a run removes the temp files a killed one left (the fixture's run started in such a folder)"
    assert (world/'run'/'run.json').exists()
    assert not [p for p in (world/'run').rglob('.*tmp*')], list((world/'run').rglob('.*tmp*'))
