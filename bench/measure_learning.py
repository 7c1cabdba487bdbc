"""How robust is each 'it learns' check? Runs a notebook's training cell (same data, same settings) over seeds and
PyTorch thread counts (a different reduction order, as another CPU gives) and prints each value, its threshold and
the worst margin.

    python bench/measure_learning.py unet                # 15_unet's training cell
    python bench/measure_learning.py learner             # 08_learner's 'it learns' cell
    python bench/measure_learning.py pipeline            # the README's hpa_run (tests/test_pipeline.py), slow
    python bench/measure_learning.py unet --seeds 0 1 2 --threads 1 2 --epochs 8 --lr 3e-3   # other settings

Each (seed, threads) pair runs in its own process (the thread count must be set before PyTorch starts)."""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

def unet(seed, a):
    "15_unet: IoU of nuclei and cells minus the trivial all-mask IoU (the cell asserts > .3 and > .2)"
    import torch
    from fastai.callback.progress import ProgressCallback
    from fastai.torch_core import set_seed
    from hpa_fastai.synth import make_synth
    from hpa_fastai.unet import unet_learner, unet_dls
    data = make_synth(Path(tempfile.mkdtemp())/'s', n=a.n, n_test=0, size=max(64, a.size), seed=0, masks=True)
    dls = unet_dls(data, size=a.size, bs=a.bs, device='cpu', seed=seed)
    set_seed(seed)
    learn = unet_learner(dls, 'resnet18', n_classes=28); learn.remove_cb(ProgressCallback)
    with learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr)
    res = {m.name: m.value for m in learn.metrics}
    tm = torch.cat([b[2] for b in dls.valid]); trivial = tm.mean((0, 2, 3))
    return {'nuclei': res['iou_nuclei'] - float(trivial[0]), 'cells': res['iou_cells'] - float(trivial[1])}

def learner(seed, a):
    "08_learner: mean per-class validation ROC AUC after the warm-up + training (the cell asserts > its threshold)"
    import numpy as np
    from hpa_fastai.metrics import macro_auc
    from fastai.torch_core import set_seed
    from hpa_fastai.datasets import hpa_data
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.learner import hpa_learner, fit_warmup
    from hpa_fastai.losses import FocalLoss
    data = hpa_data(n=a.n, n_test=0, size=128, seed=0)
    set_seed(seed)
    dls = hpa_dls(data, size=a.size, bs=a.bs, device='cpu', seed=seed)
    learn = hpa_learner(dls, arch='resnet18', loss_func=FocalLoss(gamma=0.))
    run = Path(tempfile.mkdtemp())/'run'
    fit_warmup(learn, epochs=a.epochs, lr=a.lr, warmup_epochs=1, run=run, monitor=a.monitor)
    import pandas as pd, sys; print(pd.read_csv(run/'history.csv').round(3).to_string(), file=sys.stderr)
    probs, targs = [o.numpy() for o in learn.get_preds(dl=dls.valid)]
    auc = lambda k: macro_auc(probs, targs, k)
    return {'auc': auc(1), 'auc3': auc(3), 'n_valid': len(targs)}

def pipeline(seed, a):
    "The README's hpa_run: test macro F1 over the class-prior baseline's (tests/test_pipeline.py asserts > 1.5)"
    out = Path(tempfile.mkdtemp())/'run'
    subprocess.run(['hpa_run', '--out', str(out), '--device', 'cpu', '--seed', str(seed)], check=True, capture_output=True)
    m = json.loads((out/'metrics.json').read_text())
    return {'f1/prior': m['test_f1_macro'] / m['prior_f1_macro_test'], 'seconds': m['seconds']['total']}

CHECKS = {'unet': (unet, {'nuclei': .3, 'cells': .2}), 'learner': (learner, {'auc': .56}),
          'pipeline': (pipeline, {'f1/prior': 1.5})}
DEFAULTS = {"unet": dict(n=128, size=32, bs=16, epochs=8, lr=3e-3), 'learner': dict(n=384, size=64, bs=16, epochs=9, lr=1e-2),
            'pipeline': dict(n=0, size=0, bs=0, epochs=0, lr=0)}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('check', choices=CHECKS); p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    for k in ('n', 'size', 'bs', 'epochs'): p.add_argument(f'--{k}', type=int)
    p.add_argument('--lr', type=float); p.add_argument('--monitor', default='valid_loss', help="learner: what picks the best epoch (the notebook's valid_loss; f1_macro was the knife edge)"); p.add_argument('--threshold', type=json.loads, help='JSON: {"name": threshold}')
    p.add_argument('--verbose', action='store_true', help="print each run's stderr (the learner's history)")
    p.add_argument('--worker', nargs=2, type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    for k, v in DEFAULTS[a.check].items():
        if getattr(a, k) is None: setattr(a, k, v)
    fn, thr = CHECKS[a.check]; thr = a.threshold or thr
    if a.worker:
        import torch; torch.set_num_threads(a.worker[1])
        print(json.dumps(fn(a.worker[0], a))); return
    settings = {k: getattr(a, k) for k in DEFAULTS[a.check]}
    print(f"{a.check} {settings} thresholds {thr}")
    worst = {k: None for k in thr}
    for s in a.seeds:
        for t in a.threads:
            t0 = time.time()
            r = subprocess.run([sys.executable, __file__, *sys.argv[1:], '--worker', str(s), str(t)], capture_output=True, text=True,
                               env={**os.environ, 'OMP_NUM_THREADS': str(t), 'MKL_NUM_THREADS': str(t)})
            if r.returncode: print(r.stderr[-3000:]); sys.exit(f"seed {s} threads {t} failed")
            if a.verbose: print(r.stderr[-3000:])
            v = json.loads(r.stdout.strip().splitlines()[-1])
            for k in thr: worst[k] = v[k] if worst[k] is None else min(worst[k], v[k])
            print(f"seed {s} threads {t}: " + ', '.join(f'{k} {x:.3f}' for k, x in v.items()) + f"  ({time.time() - t0:.0f} s)", flush=True)
    print('worst: ' + ', '.join(f'{k} {worst[k]:.3f} (threshold {thr[k]}, margin {worst[k] - thr[k]:+.3f})' for k in thr))

if __name__ == '__main__': main()
