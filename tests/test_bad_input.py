"""Every console script against bad input: each case must exit non-zero with one line on stderr that starts with the
script's name and names the culprit (file, line, Id or option), print no traceback, and leave the whole temporary tree
exactly as it was (nothing created outside or inside --out, nothing changed, no temp file left; checked by hashes).
Special files are a FIFO and symlinks made in the temporary folder, never a real device node.

The first case of each script runs the installed console script in its own process, as a user would (exit status,
all of stderr: no warning, no traceback); the others call the same entry point in this process (a new process per
case would cost seconds of imports each), where stderr is what the script printed plus the message it exits with."""
import configparser, hashlib, importlib, os, shlex, shutil, subprocess
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
        '--bs', '8', '--lr', '1e-2', '--skip_lr_find')
    kaggle = w/'kaggle'; shutil.copytree(w/'data', kaggle); (kaggle/'.hpa_fastai').unlink()  # a data folder we did not make
    unfinished = w/'run_unfinished'; shutil.copytree(w/'run', unfinished); (unfinished/'valid_preds.csv').unlink()  # for hpa_report
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
    # files for the cases of section 11 of the table (files and values)
    rows = (w/'data'/'train.csv').read_text().splitlines(); tids = [r.split(',')[0] for r in rows[1:]]
    (w/'comma.csv').write_text('\n'.join([rows[0]] + [r + ',' for r in rows[1:]]) + '\n')  # a trailing comma on every row
    (w/'neg.csv').write_text('\n'.join([rows[0], tids[0] + ',-1', *rows[2:]]) + '\n')  # Target -1
    for name, col, fold in (('folds3.csv', 'fold', lambda k: k % 3), ('nofold.csv', 'split', lambda k: k % 3),
                            ('halffold.csv', 'fold', lambda k: '2.5' if k == 2 else k % 3), ('blankfold.csv', 'fold', lambda k: '' if k == 4 else k % 3)):
        (w/name).write_text(f'Id,{col}\n' + ''.join(f'{i},{fold(k)}\n' for k, i in enumerate(tids)))
    (w/'stats_nan.json').write_text('{"mean": [NaN, 0.1, 0.1, 0.1], "std": [0.2, 0.2, 0.2, 0.2]}')
    (w/'stats_str.json').write_text('{"mean": [0.1, 0.1, 0.1, 0.1], "std": ["0.2", 0.2, 0.2, 0.2]}')
    (w/'th_nan.json').write_text('[' + ', '.join(['0.5'] * 27 + ['NaN']) + ']'); (w/'th_big.json').write_text('[' + ', '.join(['0.5'] * 27 + ['1.5']) + ']')
    # files for the cases of section 12 of the table (training and prediction)
    import json
    ids3 = [l.split(',')[0] for l in (w/'data'/'train.csv').read_text().splitlines()[1:]]
    (w/'f3.csv').write_text('Id,fold\n' + ''.join(f'{i},{k % 3}\n' for k, i in enumerate(ids3)))  # folds 0..2 only
    ext = w/'extra_one'; (ext/'train').mkdir(parents=True)  # an extra folder whose one row is an Id of the data
    (ext/'train.csv').write_text('Id,Target\n' + (w/'data'/'train.csv').read_text().splitlines()[1] + '\n')
    for f in (w/'data'/'train').glob(ids3[0] + '_*.png'): shutil.copy(f, ext/'train')
    def data_with(name, test_id, how):  # a copy of the data whose last test Id is `test_id` (read in a loader worker): renamed, then broken
        d = w/name; shutil.copytree(w/'data', d); (d/'.hpa_fastai').unlink(missing_ok=True)
        ss = (d/'sample_submission.csv').read_text().splitlines(); old = ss[-1].split(',')[0]
        for f in (d/'test').glob(old + '_*.png'): f.rename(f.with_name(f.name.replace(old, test_id)))
        (d/'sample_submission.csv').write_text('\n'.join(ss[:-1] + [ss[-1].replace(old, test_id)]) + '\n')
        g = d/'test'/f'{test_id}_green.png'
        if how == 'truncated': g.write_bytes(g.read_bytes()[:60])
        else: [f.unlink() for f in (d/'test').glob(test_id + '_*.png')]
    data_with('data_trunc', 'trunc_1', 'truncated'); data_with('data_noimage', 'noimage_1', 'missing')
    rt = w/'run_trunc'; shutil.copytree(w/'run', rt); (rt/'run.json').write_text((rt/'run.json').read_text()[:40])  # a truncated run.json
    ri = w/'run_interrupted'; shutil.copytree(w/'run', ri)  # what a killed hpa_train leaves: config.json, no run.json
    cfg = json.loads((ri/'run.json').read_text()); keep = ('arch', 'size', 'crop', 'epochs', 'warmup', 'bs', 'lr', 'loss', 'gamma', 'oversample',
                                                         'fold', 'pretrained', 'weights', 'seed', 'data', 'folds', 'stats', 'lr_suggested')
    cfg = {k: cfg[k] for k in keep if k in cfg} | {'bs': 32, 'folds': str(ri/'folds.csv'), 'stats': str(ri/'stats.json')}  # $TRAIN's settings
    for f in ('run.json', 'model.pth', 'valid_preds.csv', 'thresholds.json', 'curves.png'): (ri/f).unlink()
    (ri/'config.json').write_text(json.dumps(cfg))
    rc = w/'run_trunc_cfg'; shutil.copytree(ri, rc); (rc/'config.json').write_text(json.dumps(cfg)[:30])
    hr = w/'hparun_trunc'; hr.mkdir(); (hr/'.hpa_fastai').write_text('hpa_run\n'); (hr/'run.json').write_text('{"command": ["hpa_run"], "set')
    return w

def _cases(path=Path(__file__).with_name('bad_input_cases.tsv'))->list:
    "(script, arguments, what the one line must contain) of each case in the table"
    macros, cases = {}, []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith('#'): continue
        first, *rest = line.split('\t')
        if first.startswith('$'): macros[first] = shlex.split(rest[0]); continue
        args = [w for a in shlex.split(rest[0]) for w in macros.get(a, [a])]
        cases.append((first, args, rest[1]))
    return cases

CASES = _cases()

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
    f = importlib.import_module(mod)
    for a in fn.split('.'): f = getattr(f, a)  # e.g. hpa_fastai.train:hpa_train.cli
    with pytest.raises(SystemExit) as e: f(list(args))
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
