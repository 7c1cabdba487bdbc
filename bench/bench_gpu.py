"""GPU throughput of training and 8-way TTA prediction: ResNet-34 on 4 channels, images/s.

Needs a CUDA GPU (on a CPU-only machine it says so and exits 0). Baselines, in the same process and on the same GPU:
- the naive loop of the popular Kaggle kernels: float32, NCHW, `torch.optim.Adam`, batches already on the GPU;
- the model-only ceiling of what `hpa_learner` sets up (fp16 autocast + channels-last), batches already on the GPU:
  the end-to-end rows (fastai `Learner.fit` / `predict_tta` fed by `hpa_dls` from PNGs, the uint8 memmap cache or the
  compressed cache; issue 17's goal: fit from the compressed cache at 512 px >= 0.8x the ceiling)
  are printed as a fraction of it, which says whether loading keeps the GPU busy.
Data: a synthetic Kaggle-layout set (`make_synth`, N_UNIQUE samples at 512 px) listed REPEAT times under new Ids
(symlinks), so that epochs are long enough to time.

The loaders are timed with their own threads (one per core) and with worker processes (half the cores).

Run: python bench/bench_gpu.py [SIZE=512] [BS=64] [N_UNIQUE=128] [REPEAT=16] [all|sweep|loop]
('sweep': training samples/s against the loader's thread count only;
 'loop': issue 19, the training loop and `predict_tta` against their model-only ceilings, before and after, and a
 torch.profiler summary of one training step, see bench/GPU.md)
BENCH_GPU_DRY=1 runs the chosen mode on a CPU at a toy scale: it checks that every row runs, and measures nothing.
"""
import os, sys, time, tempfile, warnings, json
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).parent))
DRY = bool(os.environ.get('BENCH_GPU_DRY'))  # run every row on the CPU at a toy scale: checks the script, measures nothing
DEV = 'cuda' if torch.cuda.is_available() else 'cpu'

def sync():
    if DEV == 'cuda': torch.cuda.synchronize()

def rates(fn, n_items, reps=2):
    "items/s of `fn()` (synchronised), `reps` times after one warm-up call"
    fn(); out = []
    for _ in range(reps):
        sync(); t = time.perf_counter(); fn(); sync()
        out.append(n_items / (time.perf_counter() - t))
    return out

def train_loop(model, xs, ys, steps, amp, cl, fused=False):
    "The plain training loop; with `amp`/`cl` the same work `hpa_learner` sets up (fp16 autocast, channels-last); `fused`: its optimizer"
    amp = amp and DEV == 'cuda'  # (a dry run on the CPU: float32)
    if cl: model = model.to(memory_format=torch.channels_last)
    if fused:  # `hpa_learner`'s optimizer: fastai's Adam hyper-parameters in one fused AdamW step (no decay on 1-d parameters)
        from hpa_fastai.loop import AdamW
        opt = AdamW([list(model.parameters())], lr=1e-4).opt
    else: opt = torch.optim.Adam(model.parameters(), 1e-4)
    scaler = torch.amp.GradScaler(DEV, enabled=amp); model.train()
    def run():
        for i in range(steps):
            x = xs[i % len(xs)]
            if cl: x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(DEV, dtype=torch.float16, enabled=amp):
                loss = F.binary_cross_entropy_with_logits(model(x).float(), ys[i % len(ys)])
            opt.zero_grad(set_to_none=True); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
    return run

def tta_loop(model, xs, steps, amp, cl):
    "8 dihedral transforms per batch, sigmoid, mean: the naive way (`amp`/`cl` off) or as `predict_tta` does it"
    from hpa_fastai.predict import dihedral
    amp = amp and DEV == 'cuda'
    if cl: model = model.to(memory_format=torch.channels_last)
    model.eval()
    def run():
        out = []
        with torch.inference_mode(), torch.autocast(DEV, enabled=amp):
            for i in range(steps):
                x = xs[i % len(xs)]
                if cl: x = x.contiguous(memory_format=torch.channels_last)
                out.append(torch.stack([torch.sigmoid(model(dihedral(x, k)).float()) for k in range(8)]).mean(0))
        return torch.cat(out).cpu()  # one copy at the end, as `predict_tta` does
    return run

def sweep(big, tmp, cache, size, bs, dev, Clock):
    "Training samples/s against the loader's thread count (and a shorter GIL switch interval), PNG and cache"
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.learner import hpa_learner
    res = {}
    for src in ('png', 'cache'):
        for t, si in ((2, None), (4, None), (8, None), (16, None), (16, 0.0005)):
            dls = hpa_dls(big, folds=tmp/'folds.csv', valid_fold=1, stats=tmp/'stats.json', size=size, bs=bs, device=dev,
                          cache=cache if src == 'cache' else None)
            dls.train.threads = t; old = sys.getswitchinterval()
            if si: sys.setswitchinterval(si)
            learn = hpa_learner(dls, cbs=[Clock()])
            with learn.no_bar(): learn.fit(3, 1e-4)
            sys.setswitchinterval(old)
            k = f"{src}, {t} threads" + (f", switch interval {si*1000:g} ms" if si else '')
            res[k] = learn.clock.epochs[1:]; print(k, [round(v) for v in res[k]], flush=True)
            del learn, dls; torch.cuda.empty_cache()
    print(f"\ntraining samples/s, {size} px, batch {bs}, against loader threads")
    for k, v in res.items(): print(f"  {k:45s} {np.median(v):7.0f}   {' '.join(f'{x:.0f}' for x in v)}")

def loop_mode(big, tmp, size, bs, dev, Clock, xs, ys, name):
    """Issue 19: the training loop against the model-only ceiling, before and after (the `sync_free` loop and fused AdamW),
    from batches already on the GPU and from the compressed cache; `predict_tta` against its ceiling; a profile of the step"""
    from fastai.optimizer import Adam
    from hpa_fastai.data import read_labels
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.cache import build_cache
    from hpa_fastai.model import rgby_model
    from hpa_fastai.learner import hpa_learner
    from hpa_fastai.loop import one_cycle
    from hpa_fastai.predict import test_dl, predict_tta
    from membatches import MemDL, mem_dls
    res, steps = {}, 4 * len(xs)
    torch.manual_seed(0); res['train_ceiling'] = rates(train_loop(rgby_model('resnet34').to(dev), xs, ys, steps, True, True, fused=True), steps * bs)
    torch.manual_seed(0); res['train_ceiling_adam'] = rates(train_loop(rgby_model('resnet34').to(dev), xs, ys, steps, True, True), steps * bs)
    torch.manual_seed(0); res['tta_ceiling'] = rates(tta_loop(rgby_model('resnet34').to(dev), xs, steps, True, True), steps * bs)
    print({k: [round(v) for v in r] for k, r in res.items()}, flush=True)
    train, valid = list(zip(xs, ys)) * 4, list(zip(xs, ys))[:2]
    before, after = dict(opt_func=Adam, fast_loop=False), {}
    def fit(learn, kind, n=3):  # what `fit_warmup` runs: fastai's fit_one_cycle before, `one_cycle` after
        with learn.no_bar():
            if kind is before: learn.fit_one_cycle(n, 1e-4)
            else: one_cycle(learn, n, 1e-4)
    learn = None
    for key, kw in (('fit_mem_before', before), ('fit_mem', after), ('fit_mem_compile', dict(compile={'backend': 'eager'} if DRY else True))):
        learn = hpa_learner(mem_dls(train, valid, dev), cbs=[Clock()], **kw)
        fit(learn, kw, 4 if 'compile' in key else 3)  # the first epoch warms up (and compiles)
        res[key] = learn.clock.epochs[1:]; print(key, [round(v) for v in res[key]], flush=True)
        if key == 'fit_mem': res['predict_mem'] = rates(lambda: predict_tta(learn.model, MemDL(train, dev), progress=False), len(train) * bs, reps=2)
        del learn; torch.cuda.empty_cache()
    t = time.perf_counter(); cache = build_cache(big, None, tmp/'lz4hc', codec='lz4hc', progress=False, threads=os.cpu_count())
    print(f"lz4hc cache (512 px) built in {time.perf_counter() - t:.1f}s", flush=True)
    for key, kw in (('fit_lz4hc_before', before), ('fit_lz4hc', after)):
        dls = hpa_dls(big, folds=tmp/'folds.csv', valid_fold=1, stats=tmp/'stats.json', size=size, bs=bs, device=dev, cache=cache)
        learn = hpa_learner(dls, cbs=[Clock()], **kw); fit(learn, kw)
        res[key] = learn.clock.epochs[1:]; print(key, [round(v) for v in res[key]], flush=True)
        if key == 'fit_lz4hc':
            ids = read_labels(big/'train.csv').Id.tolist()[:8 * bs]
            tdl = test_dl(big, size, tmp/'stats.json', ids=ids, folder='train', bs=bs, device=dev)
            res['predict_png'] = rates(lambda: predict_tta(learn, tdl, progress=False), len(ids), reps=1)
        del learn, dls; torch.cuda.empty_cache()
    prof = profile_step(dev, train, valid, Clock, before, after)
    med = {k: float(np.median(v)) for k, v in res.items()}
    print(f"\n{name}, ResNet-34 on 4 channels, {size} px, batch {bs}; images/s (each timed run listed)")
    print(f"{'':66s} {'images/s':>9s} {'x ceiling':>9s}  runs")
    def row(label, k, ceil):
        print(f"{label:66s} {med[k]:9.0f} {med[k] / med[ceil]:9.2f}  {' '.join(f'{v:.0f}' for v in res[k])}")
    print("training: forward, backward, step (goals: 0.9x from batches on the GPU, 0.8x from the cache)")
    row("  ceiling: fp16 + channels-last, fused AdamW, batches on the GPU", 'train_ceiling', 'train_ceiling')
    row("    the same with torch.optim.Adam (the ceiling before issue 19)", 'train_ceiling_adam', 'train_ceiling')
    row("  hpa_learner fit, batches on the GPU, before (fastai Adam + loop)", 'fit_mem_before', 'train_ceiling')
    row("  hpa_learner fit, batches on the GPU (sync-free loop, AdamW)", 'fit_mem', 'train_ceiling')
    row("    the same with compile=True (torch.compile)", 'fit_mem_compile', 'train_ceiling')
    row("  hpa_learner fit, compressed cache, before", 'fit_lz4hc_before', 'train_ceiling')
    row("  hpa_learner fit, compressed cache (sync-free loop, AdamW)", 'fit_lz4hc', 'train_ceiling')
    print("prediction, 8 dihedral transforms per image (goal: predict_tta 0.8x its ceiling)")
    row("  ceiling: fp16 + channels-last, batches on the GPU", 'tta_ceiling', 'tta_ceiling')
    row("  predict_tta, batches on the GPU", 'predict_mem', 'tta_ceiling')
    row("  predict_tta(learn, test_dl) from PNG", 'predict_png', 'tta_ceiling')
    print(prof)
    out = os.environ.get('OUT')
    if out: Path(out, f'bench_gpu_loop_{size}.json').write_text(json.dumps({'device': name, 'size': size, 'bs': bs, 'runs': res}, indent=1))

def profile_step(dev, train, valid, Clock, before, after, n=16):
    "torch.profiler over `n` training batches of each loop: host syncs and copies per batch, and the top host-side ops"
    from torch.profiler import profile, ProfilerActivity
    from hpa_fastai.learner import hpa_learner
    from hpa_fastai.loop import one_cycle, count_host_syncs
    from membatches import mem_dls
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if DEV == 'cuda' else [])
    lines = [f"\nprofile of {n} training batches (+2 validation), per batch"]
    for label, kw in (('before (fastai Adam + loop)', before), ('after (sync-free loop, AdamW)', after)):
        learn = hpa_learner(mem_dls(train[:n], valid, dev), **kw)
        with learn.no_bar(): learn.fit(1, 1e-4)  # warm-up
        with count_host_syncs() as c, profile(activities=acts) as p, learn.no_bar():
            sync(); t = time.perf_counter(); learn.fit(1, 1e-4); sync(); wall = time.perf_counter() - t
        ev = {e.key: e for e in p.key_averages()}
        cnt = lambda *ks: sum(ev[k].count for k in ks if k in ev)
        lines.append(f"  {label}: {1000 * wall / (n + 2):.2f} ms/batch; host calls counted {sum(c.values()) / n:.2f}/batch; "
                     f"cudaStreamSynchronize {cnt('cudaStreamSynchronize') / n:.2f}, cudaDeviceSynchronize {cnt('cudaDeviceSynchronize') / n:.2f}, "
                     f"aten::_local_scalar_dense (item) {cnt('aten::_local_scalar_dense') / n:.2f}, cudaMemcpyAsync {cnt('cudaMemcpyAsync') / n:.2f}, "
                     f"kernel launches {cnt('cudaLaunchKernel', 'cudaLaunchKernelExC') / n:.0f}")
        for (m, site), k in c.most_common(6): lines.append(f"      {k:4d} x {m} at {site}")
        lines.append("    top host-side (self CPU) time:")
        lines += ['      ' + l for l in p.key_averages().table(sort_by='self_cpu_time_total', row_limit=12).splitlines()]
        del learn; torch.cuda.empty_cache()
    return '\n'.join(lines)

def main(size=512, bs=64, n_unique=128, repeat=16, mode='all'):
    if not torch.cuda.is_available() and not DRY: print("bench_gpu: no CUDA GPU here, nothing measured (BENCH_GPU_DRY=1 runs it on the CPU)"); return
    from fastai.callback.core import Callback
    from hpa_fastai.core import CHANNELS
    from hpa_fastai.synth import make_synth
    from hpa_fastai.data import read_labels
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.cache import build_cache
    from hpa_fastai.stats import channel_stats, save_stats
    from hpa_fastai.model import rgby_model
    from hpa_fastai.learner import hpa_learner
    from hpa_fastai.predict import test_dl, predict_tta
    dev = torch.device(DEV); name = torch.cuda.get_device_name() if DEV == 'cuda' else 'CPU (dry run, nothing measured)'
    if DRY: size, bs, n_unique, repeat = 64, 4, 8, 2
    print(f"{name}; torch {torch.__version__}; cudnn.benchmark {torch.backends.cudnn.benchmark}; cpus {os.cpu_count()}")
    tmp = Path(tempfile.mkdtemp())
    t = time.perf_counter(); data = make_synth(tmp/'s', n=n_unique, n_test=1, size=512, seed=0)
    print(f"synthetic set: {n_unique} x 512 px in {time.perf_counter()-t:.1f}s", flush=True)
    df = read_labels(data/'train.csv'); big = tmp/'big'; (big/'train').mkdir(parents=True); rows = []
    for k in range(repeat):
        for i, tg in zip(df.Id, df.Target):
            for c in CHANNELS: os.symlink(data/'train'/f'{i}_{c}.png', big/'train'/f'{i}x{k}_{c}.png')
            rows.append((f'{i}x{k}', tg))
    (big/'train.csv').write_text('Id,Target\n' + ''.join(f'{a},{b}\n' for a, b in rows))
    n_valid = 2 * bs  # a small validation fold: the fit rows time the training phase
    (tmp/'folds.csv').write_text('Id,fold\n' + ''.join(f"{a},{int(k < n_valid)}\n" for k, (a, _) in enumerate(rows)))
    save_stats(*channel_stats(data/'train', df.Id.tolist(), size=size, n_workers=0, progress=False), tmp/'stats.json')

    class Clock(Callback):
        "samples/s of each epoch's training phase"
        order = 100
        def before_fit(self): self.epochs = []
        def before_train(self): sync(); self.t0, self.n = time.perf_counter(), 0
        def after_batch(self):
            if self.training: self.n += len(self.yb[0])
        def after_train(self): sync(); self.epochs.append(self.n / (time.perf_counter() - self.t0))
    if mode == 'sweep':
        return sweep(big, tmp, build_cache(big, size, tmp/'cache', codec='npy', progress=False, threads=os.cpu_count()), size, bs, dev, Clock)

    # batches resident on the GPU: real (synthetic) images, normalised, for the model-only rows
    dl = test_dl(big, size, tmp/'stats.json', ids=[a for a, _ in rows[:8*bs]], folder='train', bs=bs, device=dev)
    xs = [xb.as_subclass(torch.Tensor).clone() for xb, *_ in dl]
    ys = [(torch.rand(bs, 28, device=dev) < 0.1).float() for _ in xs]
    if mode == 'loop': return loop_mode(big, tmp, size, bs, dev, Clock, xs, ys, name)
    steps = 4 * len(xs); res = {}
    for key, amp, cl in (('fp32', False, False), ('amp_cl', True, True), ('amp_cl_bench', True, True)):
        torch.backends.cudnn.benchmark = key == 'amp_cl_bench'  # cuDNN's own choice of convolution algorithms
        torch.manual_seed(0); res[f'train_{key}'] = rates(train_loop(rgby_model('resnet34').to(dev), xs, ys, steps, amp, cl), steps*bs)
        torch.manual_seed(0); res[f'tta_{key}'] = rates(tta_loop(rgby_model('resnet34').to(dev), xs, steps, amp, cl), steps*bs)
        print(key, {k: [round(v) for v in r] for k, r in res.items()}, flush=True)
    torch.backends.cudnn.benchmark = False; torch.cuda.empty_cache()

    caches = {}
    for codec in ('npy', 'lz4hc'):  # the uint8 memmap at the training size; the compressed cache at the images' 512 px
        t = time.perf_counter(); caches[codec] = build_cache(big, size if codec == 'npy' else None, tmp/codec, codec=codec, progress=False, threads=os.cpu_count())
        print(f"{codec} cache of {len(rows)} samples built in {time.perf_counter()-t:.1f}s", flush=True)
    test_ids = [a for a, _ in rows[n_valid:]]
    nw_proc = max(2, os.cpu_count() // 2)
    for src in ('png', 'npy', 'lz4hc'):
        for nw in (0, nw_proc):  # 0: the loader's own threads (one per core); else worker processes
            dls = hpa_dls(big, folds=tmp/'folds.csv', valid_fold=1, stats=tmp/'stats.json', size=size, bs=bs, device=dev,
                          cache=caches.get(src), num_workers=nw)
            key = f"{src}_{'threads' if nw == 0 else 'procs'}"
            if nw == 0: nthreads = dls.train.threads
            def drain():
                for b in dls.train: pass
            res[f'load_{key}'] = rates(drain, len(dls.train) * bs, reps=1)  # the loader alone
            learn = hpa_learner(dls, cbs=[Clock()])
            with learn.no_bar(): learn.fit(3, 1e-4)  # the first epoch warms up (cudnn autotuning, threads, workers)
            res[f'fit_{key}'] = learn.clock.epochs[1:]
            if key == 'png_threads':
                tdl = test_dl(big, size, tmp/'stats.json', ids=test_ids, folder='train', bs=bs, device=dev)
                res['predict_png'] = rates(lambda: predict_tta(learn, tdl, progress=False), len(test_ids), reps=1)
            print(key, {k: [round(v) for v in r] for k, r in res.items() if key in k}, flush=True)
            del learn, dls; torch.cuda.empty_cache()

    med = {k: float(np.median(v)) for k, v in res.items()}
    print(f"\n{name}, ResNet-34 on 4 channels, {size} px, batch {bs}; images/s (each timed run listed)")
    print(f"{'':62s} {'images/s':>9s} {'x naive':>8s} {'x ceiling':>9s}  runs")
    def row(label, k, base, ceil=None):
        c = f"{med[k]/med[ceil]:9.2f}" if ceil else f"{'':9s}"
        print(f"{label:62s} {med[k]:9.0f} {med[k]/med[base]:8.2f} {c}  {' '.join(f'{v:.0f}' for v in res[k])}")
    print("training (forward, backward, Adam step)")
    row("  naive: fp32, NCHW, batches on the GPU", 'train_fp32', 'train_fp32')
    row("  ceiling: fp16 autocast + channels-last, batches on the GPU", 'train_amp_cl', 'train_fp32', 'train_amp_cl')
    row("    the same with cudnn.benchmark", 'train_amp_cl_bench', 'train_fp32', 'train_amp_cl')
    for src, what in (('png', 'PNG'), ('npy', 'the uint8 memmap cache'), ('lz4hc', 'the compressed cache (512 px)')):
        for how in ('threads', 'procs'):
            h = f'{nthreads} threads' if how == 'threads' else f'{nw_proc} worker processes'
            row(f"  hpa_learner.fit, hpa_dls from {what}, {h}", f'fit_{src}_{how}', 'train_fp32', 'train_amp_cl')
            row(f"    (the loader alone, no model)", f'load_{src}_{how}', 'train_fp32', 'train_amp_cl')
    print("prediction, 8 dihedral transforms per image (images/s counts each image once)")
    row("  naive: fp32, NCHW, batches on the GPU", 'tta_fp32', 'tta_fp32')
    row("  ceiling: fp16 autocast + channels-last, batches on the GPU", 'tta_amp_cl', 'tta_fp32', 'tta_amp_cl')
    row("    the same with cudnn.benchmark", 'tta_amp_cl_bench', 'tta_fp32', 'tta_amp_cl')
    row("  predict_tta(learn, test_dl) from PNG", 'predict_png', 'tta_fp32', 'tta_amp_cl')
    out = os.environ.get('OUT')
    if out: Path(out, f'bench_gpu_{size}.json').write_text(json.dumps({'device': name, 'size': size, 'bs': bs, 'runs': res}, indent=1))

if __name__ == '__main__': main(*map(int, sys.argv[1:5]), *sys.argv[5:6])
