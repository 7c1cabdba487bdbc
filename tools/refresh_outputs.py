#!/usr/bin/env python
"""Execute notebooks in place so that their committed outputs show what the code does now.

    python tools/refresh_outputs.py                    # every notebook in nbs/, two at a time
    python tools/refresh_outputs.py nbs/02_eda.ipynb   # just these
    python tools/refresh_outputs.py --verify NOTEBOOK  # run again and compare its text outputs, writing nothing
    python tools/refresh_outputs.py --check            # CI: outputs present, size budgets kept, nothing run

Each notebook runs in a fresh Python process, from `nbs/` as under `nbdev_test`, with the cells `nbdev_test`
skips (the flags in settings.ini's `tst_flags`, `#| eval: false`, the export call) left without outputs.
What is stored is what a reader should see: figures as PNG at `figure.dpi` 80 (`savefig.bbox` tight),
tables, printed text; progress bars are not stored (carriage-return redraws are reduced to their final text,
fastai's per-epoch table is kept but without its wall-clock column, every tqdm bar is off), and neither are widget
states or execution counts (`nbdev_clean` runs on the result). Seeds are fixed in the notebooks and
`PYTHONHASHSEED=0` and one PyTorch thread here (`OMP_NUM_THREADS=1`: the float sums, hence the printed
figures, depend on the number of threads), so running this twice gives the same text outputs (`--verify`).

A notebook is written only when every cell ran without an error and none of its code changed while it ran.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
# Notebooks with nothing to show (index.ipynb is the README's prose); the check lets them be bare.
PURE_LIBRARY = {'index.ipynb'}
MAX_NB_BYTES, MAX_NBS_BYTES = 1_500_000, 15_000_000

SETUP = """
import matplotlib as _mpl
_mpl.rcParams.update({'figure.dpi': 80, 'savefig.dpi': 80, 'savefig.bbox': 'tight'})
import fastprogress.fastprogress as _fp
_fp.NO_BAR = True
import tqdm as _tq
_tq_init = _tq.tqdm.__init__
def _no_tqdm(self, *a, **k): k['disable'] = True; _tq_init(self, *a, **k)
_tq.tqdm.__init__ = _no_tqdm  # also where a caller passes disable=False explicitly
try:
    from fastai.learner import Recorder as _Rec
    _Rec.__init__.__defaults__ = (False,) + _Rec.__init__.__defaults__[1:]  # no wall-clock column in the epoch table
except ImportError: pass
"""

def skip_flags():
    "The flags whose cells `nbdev_test` skips (settings.ini's tst_flags)"
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def skipped(cell, flags):
    "Is `cell` one that `nbdev_test` does not run?"
    from nbdev.process import extract_directives
    if cell.cell_type != 'code' or 'nbdev_export' + '(' in cell.source: return True
    from fastcore.basics import AttrDict
    d = extract_directives(AttrDict(source=cell.source), remove=False)
    if d.get('eval:', [''])[0].lower() == 'false': return True
    return bool(flags & d.keys())

def final_text(text):
    "What stays of `text` once its carriage-return redraws are done: each line's last segment (fastprogress's '█\\r' probe goes)"
    return '\n'.join(l.split('\r')[-1] for l in text.split('\n'))  # a line ending in '\r' is overwritten next: nothing stays

def clean_outputs(outs):
    "Drop progress-bar redraws, empty streams and widget states from one cell's outputs"
    res = []
    for o in outs:
        if o.get('output_type') == 'stream':
            text = final_text(''.join(o['text']))
            if not text.strip(): continue
            o['text'] = text.splitlines(True)
        data = o.get('data')
        if data is not None:
            data.pop('application/vnd.jupyter.widget-view+json', None)
            if not data: continue
            o['metadata'] = {}
        res.append(o)
    return res

def text_outputs(cells):
    "The text a reader sees in each code cell's outputs (streams, plain and HTML results), for comparing runs"
    res = []
    for i, c in enumerate(cells):
        for o in c.get('outputs', []) if c.get('cell_type') == 'code' else []:
            if 'text' in o: res.append((i, ''.join(o['text'])))
            for k in ('text/plain', 'text/html'):
                if k in o.get('data', {}) and 'image/png' not in o['data']: res.append((i, ''.join(o['data'][k])))
    return res

def compare(fn, ran):
    "Exit non-zero, naming the cells, when the text outputs of this run differ from the stored ones"
    from execnb.nbio import read_nb
    stored, new = text_outputs(read_nb(fn).cells), text_outputs(ran)
    if stored == new: return print(f"{fn.name}: the same text outputs as stored", flush=True)
    import difflib
    diff = difflib.unified_diff([f"[{i}] {l}" for i, t in stored for l in t.splitlines()],
                                [f"[{i}] {l}" for i, t in new for l in t.splitlines()], 'stored', 'this run', lineterm='', n=0)
    print('\n'.join(list(diff)[:60]))
    sys.exit(f"{fn.name}: text outputs differ from the stored ones")

def run_one(fn, verify=False):
    "Execute notebook `fn` in this process and write it back with its outputs (or compare, `verify`); exit non-zero on an error"
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.clean import nbdev_clean
    fn = Path(fn).resolve()
    nb, flags = read_nb(fn), skip_flags()
    os.environ.setdefault('IN_TEST', '1')
    shell = CaptureShell(fn, mpl_format='png')
    start = time.time()
    os.chdir(fn.parent)
    shell.run(SETUP)
    if shell.exc: raise shell.exc
    ran = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code': continue
        if skipped(cell, flags): cell.outputs = []; continue
        cell.outputs = []  # execnb keeps a cell's old outputs when it shows nothing now
        shell.cell(cell)
        if shell.exc:
            sys.stderr.write(shell.prettytb(fname=fn) + '\n')
            sys.exit(f"{fn.name}: cell {i} failed; notebook not written")
        cell.outputs = clean_outputs(cell.outputs)
        ran[i] = cell
    if verify:
        from nbdev.clean import clean_nb
        clean_nb(nb)
        return compare(fn, nb.cells)
    now = read_nb(fn)  # written into the notebook as it is now, so that edits made meanwhile to prose are kept
    if [c.source for c in now.cells if c.cell_type == 'code'] != [c.source for c in nb.cells if c.cell_type == 'code']:
        sys.exit(f"{fn.name}: its code changed while it ran; notebook not written (run it again)")
    for i, c in enumerate(now.cells):
        if c.cell_type == 'code': c.outputs = ran[i].outputs if i in ran else []
    write_nb(now, fn)
    nbdev_clean(fname=str(fn))
    print(f"{fn.name}: {time.time()-start:.0f} s, {fn.stat().st_size/1e3:.0f} KB", flush=True)

def n_outputs(fn):
    return sum(len(c.get('outputs', [])) for c in json.loads(Path(fn).read_text())['cells'])

def check():
    "Every notebook but the pure-library ones has outputs; each is within its size budget, and nbs/ within its"
    errs, total = [], 0
    for fn in sorted(NBS.glob('*.ipynb')):
        size = fn.stat().st_size; total += size
        if fn.name not in PURE_LIBRARY and not n_outputs(fn): errs.append(f"{fn.name}: no outputs (run tools/refresh_outputs.py {fn.relative_to(ROOT)})")
        if size > MAX_NB_BYTES: errs.append(f"{fn.name}: {size/1e6:.2f} MB, over the {MAX_NB_BYTES/1e6:.1f} MB budget of a notebook")
    total += sum(f.stat().st_size for f in NBS.rglob('*') if f.is_file() and f.suffix != '.ipynb')
    if total > MAX_NBS_BYTES: errs.append(f"nbs/: {total/1e6:.1f} MB, over its {MAX_NBS_BYTES/1e6:.0f} MB budget")
    for e in errs: print(e)
    if errs: sys.exit(1)
    print(f"notebook outputs present; nbs/ {total/1e6:.1f} MB")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to execute (default: every one in nbs/)')
    p.add_argument('--jobs', type=int, default=2, help='notebooks run at once (each with one PyTorch thread)')
    p.add_argument('--check', action='store_true', help='check outputs and sizes only')
    p.add_argument('--verify', action='store_true', help='run again and compare the text outputs with the stored ones; write nothing')
    p.add_argument('--one', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.check: return check()
    if a.one: return run_one(a.one, a.verify)
    fns = [Path(f).resolve() for f in a.notebooks] or sorted(NBS.glob('*.ipynb'))
    env = dict(os.environ, PYTHONHASHSEED='0', MPLBACKEND='module://matplotlib_inline.backend_inline', TQDM_DISABLE='1',
               OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    todo, running, failed = list(fns), [], []
    while todo or running:
        while todo and len(running) < a.jobs:
            fn = todo.pop(0)
            running.append((fn, subprocess.Popen([sys.executable, __file__, '--one', str(fn)] + ['--verify'] * a.verify, env=env)))
        time.sleep(0.2)
        for fn, pr in list(running):
            if pr.poll() is not None:
                running.remove((fn, pr))
                if pr.returncode: failed.append(fn.name)
    if failed: sys.exit(f"failed: {' '.join(failed)}")

if __name__ == '__main__': main()
