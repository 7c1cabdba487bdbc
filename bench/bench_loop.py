"""The training loop's own cost on a CPU: `hpa_learner`'s fit against a plain PyTorch loop, per batch.

Batches are already in memory (no loader) and the model is small, so what differs between the rows is the loop:
fastai's callbacks and events, the recorder, the progress bar, the optimizer step. Every row trains the same
4-channel ResNet (same initial weights) on the same batches, with the same optimizer arithmetic (fastai's Adam
hyper-parameters: AdamW, betas 0.9/0.99, eps 1e-5, weight decay 0.01 on the weights only) and the same one-cycle
schedule, and runs the same validation batches. Timed in the same process, interleaved, median of REPS runs.

Rows:
- plain PyTorch loop: forward, focal loss, backward, `torch.optim.AdamW` step (fused), zero_grad; validation
  forward passes; the losses summed on the device and read once per epoch (the baseline, 1.00x);
- hpa_learner fit (the default: `sync_free` loop, `hpa_fastai.loop.AdamW`), `one_cycle`, progress bar on;
- the same through `fit_warmup` with a run folder (history, best model, a checkpoint every epoch);
- hpa_learner as before issue 19: fastai's `Adam` and loop (`opt_func=Adam, fast_loop=False`), `fit_one_cycle`.
Issue 19's aim: the default fit at most 1.2x the plain loop.

Run: python bench/bench_loop.py [SIZE=32] [BS=16] [N_TRAIN=96] [ARCH=resnet18|resnet10|resnet34] [REPS=3]
"""
import os, sys, time, tempfile, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).parent))
import numpy as np, torch
from membatches import mem_dls, random_batches

def main(size=32, bs=16, n_train=96, arch='resnet18', reps=3):
    from fastai.optimizer import Adam
    from fastai.torch_core import set_seed
    from hpa_fastai.learner import hpa_learner, fit_warmup
    from hpa_fastai.loop import AdamW, one_cycle, cos_sched
    from hpa_fastai.losses import FocalLoss
    torch.set_num_threads(min(2, os.cpu_count()))
    n_valid = max(2, n_train // 8)
    train, valid = random_batches(n_train, bs, size, 'cpu', seed=0), random_batches(n_valid, bs, size, 'cpu', seed=1)
    epochs, lr, tmp = 2, 1e-3, Path(tempfile.mkdtemp())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {arch} on 4 channels, {size} px, batch {bs}; "
          f"{epochs} epochs of {n_train} training + {n_valid} validation batches, in memory", flush=True)

    net = arch
    if arch == 'resnet10':  # one BasicBlock per stage: half of ResNet-18's compute per image, the same loop
        from torchvision.models.resnet import ResNet, BasicBlock
        def net(weights=None): return ResNet(BasicBlock, [1, 1, 1, 1])
    def learner(**kw):
        set_seed(0); return hpa_learner(mem_dls(train, valid, 'cpu'), arch=net, prior_bias=False, **kw)

    def plain():
        learn = learner(); model, loss_func = learn.model, FocalLoss()  # the same initial weights and loss
        opt = AdamW([list(model.parameters())], lr=lr).opt  # the same torch.optim.AdamW groups (no decay on 1-d parameters)
        n = epochs * len(train); sl, sm = cos_sched(0.25, lr / 25, lr, lr / 25e4), cos_sched(0.25, 0.95, 0.85, 0.95)
        t = time.perf_counter(); i = 0
        for _ in range(epochs):
            model.train(); tot = torch.zeros(())
            for x, y in train:
                l_, m_ = sl(i / n), sm(i / n); i += 1
                for g in opt.param_groups: g['lr'], g['betas'] = l_, (m_, 0.99)
                loss = loss_func(model(x), y); loss.backward(); opt.step(); opt.zero_grad()
                tot += loss.detach()
            model.eval(); vt = torch.zeros(())
            with torch.no_grad():
                for x, y in valid: vt += loss_func(model(x), y)
            _ = (tot / len(train)).item(), (vt / len(valid)).item()  # read once per epoch, as the log does
        return time.perf_counter() - t

    def fit(kind):
        if kind == 'before':
            learn = learner(opt_func=Adam, fast_loop=False); t = time.perf_counter(); learn.fit_one_cycle(epochs, lr)
        elif kind == 'default':
            learn = learner(); t = time.perf_counter(); one_cycle(learn, epochs, lr)
        else:
            learn = learner(); t = time.perf_counter(); fit_warmup(learn, epochs, lr, warmup_epochs=0, run=tmp/f'run{time.time_ns()}')
        return time.perf_counter() - t

    rows = {'plain PyTorch loop (baseline)': plain, 'hpa_learner fit (sync-free loop, AdamW)': lambda: fit('default'),
            '  the same through fit_warmup with a run folder': lambda: fit('warmup'),
            'hpa_learner before issue 19 (fastai Adam and loop)': lambda: fit('before')}
    import contextlib, io
    for f in rows.values():  # warm-up: allocator, thread pool, first-call costs
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()): f()
    res = {k: [] for k in rows}
    for r in range(reps):
        for k, f in rows.items():
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()): res[k].append(f())
        print(f"run {r + 1}: " + ', '.join(f"{v[-1]:.2f}s" for v in res.values()), flush=True)
    nb = epochs * (len(train) + len(valid)); base = np.median(res['plain PyTorch loop (baseline)'])
    print(f"\n{'':55s} {'ms/batch':>9s} {'x plain':>8s}   runs (s)")
    for k, v in res.items():
        print(f"{k:55s} {1000 * np.median(v) / nb:9.2f} {np.median(v) / base:8.2f}   {' '.join(f'{x:.2f}' for x in v)}")

if __name__ == '__main__':
    a = sys.argv[1:]
    main(*[int(x) for x in a[:3]], *(a[3:4] or ['resnet18']), *[int(x) for x in a[4:5]])
