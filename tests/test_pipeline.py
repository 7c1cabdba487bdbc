"""`hpa_run` end to end through its console script: the default run (the README's first command) with its run
folder, a submission that validates against sample_submission.csv and a test score clearly above the class-prior
baseline; its report.html read as a person reads it; a small run logged to TensorBoard and compared with the default
one by `hpa_report --compare`; and bad data folders that fail with a clear message and leave no submission."""
import json, re, shutil
from html.parser import HTMLParser
from pathlib import Path
import numpy as np, pytest
from hpa_fastai.data import read_labels
from hpa_fastai.predict import read_submission, score_submission
from clitools import run, synth_set

SMALL = ['--size', '64', '--bs', '16', '--tta', '4', '--device', 'cpu']


@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 40, 8, 64, 0)

@pytest.fixture(scope='module')
def default_run(tmp_path_factory):
    "The README's first command as written (only --out added): the synthetic default, about 5 minutes here"
    out = tmp_path_factory.mktemp('default')/'run'
    return out, run('hpa_run', '--out', out, '--device', 'cpu')

def test_hpa_run_default_learns(default_run):
    out, r = default_run
    assert 'test macro F1' in r.stdout and 'mean ROC AUC' in r.stdout
    for f in ('submission.csv', 'submission_probs.csv', 'metrics.json', 'run.json', 'label_counts.png', 'lr_find.png',
              'curves.png', 'f1_per_class.png', 'thresholds.png', 'folds.csv', 'stats.json', 'train/model.pth',
              'report.html', 'per_class.csv', 'interpret_top_losses.png', 'interpret_confusion_missed.png'):
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
    r = run('hpa_run', '--out', out, *SMALL, ok=False)
    assert r.returncode != 0 and 'finished run' in r.stderr


class _Page(HTMLParser):
    "The order of a page's blocks, its figures' measured text sizes, its outside references and its visible text"
    def __init__(self):
        super().__init__(); self.blocks, self.figs, self.refs, self.text = [], {}, [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.refs += [v for k, v in attrs if k in ('src', 'href') and not v.startswith(('#', 'data:'))]
        if tag == 'figure': self.figs[a['id']] = a.get('data-text-px')
        if tag in ('h1', 'h2') or a.get('class') in ('cards', 'sub'): self.blocks.append(a.get('class') or tag)
    def handle_data(self, d): self.text.append(d)

def test_report_reads_at_a_glance(default_run):
    "The default run's report.html: the headline first, numbers rounded, versions and date, legible figures, names whole"
    out, r = default_run
    p = _Page(); p.feed((out/'report.html').read_text())
    assert p.blocks[:4] == ['h1', 'sub', 'cards', 'cards'], p.blocks  # title, the summary line, test and validation scores
    assert p.blocks.index('h2') > p.blocks.index('cards') and p.refs == []  # headline before any section; nothing outside the file
    text = ' '.join(p.text)
    m = json.loads((out/'metrics.json').read_text())
    assert m['summary'] in text and m['summary'] in r.stdout  # the line the command printed
    raw = [t for t in re.findall(r'\d+\.\d+', text) if len(t.replace('.', '').lstrip('0')) > 4]
    assert raw == [], raw[:5]  # numbers rounded for people: no 0.006968641114982578
    for k in ('hpa_fastai', 'fastai', 'torch'): assert f"{k} {m['versions'][k]}" in text
    assert m['finished'].replace('T', ' ') in text and 'How good' in text and 'What was run' in text
    drawn = {k: float(v) for k, v in p.figs.items() if v is not None}
    assert {'fig-confusion_missed', 'fig-confusion_false', 'fig-thresholds', 'fig-top_losses', 'fig-curves'} <= set(drawn), drawn
    assert min(drawn.values()) >= 9, drawn  # px at 1400 px page width
    from hpa_fastai.interpret import HPAInterpretation
    from hpa_fastai.report import text_px
    ip = HPAInterpretation.from_run(out)
    for w in ('missed', 'false'): assert text_px(ip.plot_confusion(which=w))[1] == []  # every class name whole

def test_tensorboard_and_compare(default_run, synth, tmp_path):
    "`hpa_run --log tensorboard` event files read back; `hpa_report --compare` on the default run and this one: one page"
    from hpa_fastai.tracking import read_scalars
    import pandas as pd
    out = tmp_path/'tb'
    run('hpa_run', '--data', synth, '--out', out, '--epochs', '1', '--log', 'tensorboard', *SMALL)
    h, sc = pd.read_csv(out/'train'/'history.csv'), read_scalars(out/'train'/'tensorboard')
    for tag, col in (('loss/train', 'train_loss'), ('loss/valid', 'valid_loss'), ('f1_macro/valid', 'f1_macro')):
        got = sc[sc.tag == tag].sort_values('step')
        assert got.step.tolist() == h.epoch.tolist() and np.abs(got.value.to_numpy() - h[col].to_numpy()).max() < 1e-6, (tag, got, h)
    fin = read_scalars(out/'tensorboard'); m = json.loads((out/'metrics.json').read_text())
    per = fin[fin.tag.str.startswith('test_f1_per_class/')].sort_values('tag')
    assert len(per) == 28 and np.abs(per.value.to_numpy() - m['test_f1_per_class']).max() < 1e-6
    cmp = tmp_path/'cmp'
    r = run('hpa_report', '--compare', default_run[0], out, '--out', cmp)
    assert r.stdout.strip() == f"wrote {cmp/'compare.html'}" and sorted(f.name for f in cmp.iterdir()) == ['.hpa_fastai', 'compare.html']
    page = (cmp/'compare.html').read_text()
    for s in ('Settings that differ', '<td>epochs</td>', '<td>size</td>', 'fig-f1', 'fig-curves'): assert s in page, s
    r = run('hpa_report', '--compare', out, '--out', cmp, ok=False)
    assert r.returncode != 0 and r.stderr.strip().splitlines()[-1] == 'hpa_report: --compare needs two or more run folders, got 1'

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
