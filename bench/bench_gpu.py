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

Run: python bench/bench_gpu.py [SIZE=512] [BS=64] [N_UNIQUE=128] [REPEAT=16] [all|sweep]
('sweep': training samples/s against the loader's thread count only)
"""
import os, sys, time, tempfile, warnings, json
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch, torch.nn.functional as F

def rates(fn, n_items, reps=2):
    "items/s of `fn()` (synchronised), `reps` times after one warm-up call"
    fn(); out = []
    for _ in range(reps):
        torch.cuda.synchronize(); t = time.perf_counter(); fn(); torch.cuda.synchronize()
        out.append(n_items / (time.perf_counter() - t))
    return out

def train_loop(model, xs, ys, steps, amp, cl):
    "The plain training loop; with `amp`/`cl` the same work `hpa_learner` sets up (fp16 autocast, channels-last)"
    if cl: model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), 1e-4); scaler = torch.amp.GradScaler('cuda', enabled=amp); model.train()
    def run():
        for i in range(steps):
            x = xs[i % len(xs)]
            if cl: x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast('cuda', dtype=torch.float16, enabled=amp):
                loss = F.binary_cross_entropy_with_logits(model(x).float(), ys[i % len(ys)])
            opt.zero_grad(set_to_none=True); scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
    return run

def tta_loop(model, xs, steps, amp, cl):
    "8 dihedral transforms per batch, sigmoid, mean: the naive way (`amp`/`cl` off) or as `predict_tta` does it"
    from hpa_fastai.predict import dihedral
    if cl: model = model.to(memory_format=torch.channels_last)
    model.eval()
    def run():
        with torch.inference_mode(), torch.autocast('cuda', enabled=amp):
            for i in range(steps):
                x = xs[i % len(xs)]
                torch.stack([torch.sigmoid(model(dihedral(x, k)).float()) for k in range(8)]).mean(0).cpu()
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

def loop_overhead(big, tmp, cache, size, bs, dev, Clock):
    "Training samples/s from the cache: fastai's Adam vs torch's (foreach) AdamW, TensorRGBY vs plain tensors"
    from functools import partial
    from fastai.optimizer import OptimWrapper
    from fastai.callback.core import Callback
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.learner import hpa_learner
    class Plain(Callback):
        "hand the model plain tensors (no fastai tensor subclass dispatch on every op)"
        order = 5
        def before_batch(self): self.learn.xb = tuple(x.as_subclass(torch.Tensor) for x in self.xb)
    torch_adam = partial(OptimWrapper, opt=partial(torch.optim.AdamW, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01, foreach=True))
    res = {}
    for name, opt, plain in (('fastai Adam', None, False), ('fastai Adam, plain tensors', None, True),
                             ('torch AdamW foreach', torch_adam, False), ('torch AdamW foreach, plain tensors', torch_adam, True),
                             ('fastai Adam (again)', None, False)):
        dls = hpa_dls(big, folds=tmp/'folds.csv', valid_fold=1, stats=tmp/'stats.json', size=size, bs=bs, device=dev, cache=cache)
        dls.train.threads = 8
        learn = hpa_learner(dls, cbs=[Clock()] + ([Plain()] if plain else []), **({'opt_func': opt} if opt else {}))
        with learn.no_bar(): learn.fit(3, 1e-4)
        res[name] = learn.clock.epochs[1:]; print(name, [round(v) for v in res[name]], flush=True)
        del learn, dls; torch.cuda.empty_cache()
    print(f"\ntraining samples/s from the cache (8 threads), {size} px, batch {bs}")
    for k, v in res.items(): print(f"  {k:45s} {np.median(v):7.0f}   {' '.join(f'{x:.0f}' for x in v)}")

def main(size=512, bs=64, n_unique=128, repeat=16, mode='all'):
    if not torch.cuda.is_available(): print("bench_gpu: no CUDA GPU here, nothing measured"); return
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
    dev = torch.device('cuda'); name = torch.cuda.get_device_name()
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
        def before_train(self): torch.cuda.synchronize(); self.t0, self.n = time.perf_counter(), 0
        def after_batch(self):
            if self.training: self.n += len(self.yb[0])
        def after_train(self): torch.cuda.synchronize(); self.epochs.append(self.n / (time.perf_counter() - self.t0))
    if mode == 'loop':
        return loop_overhead(big, tmp, build_cache(big, size, tmp/'cache', codec='npy', progress=False, threads=os.cpu_count()), size, bs, dev, Clock)
    if mode == 'sweep':
        return sweep(big, tmp, build_cache(big, size, tmp/'cache', codec='npy', progress=False, threads=os.cpu_count()), size, bs, dev, Clock)

    # batches resident on the GPU: real (synthetic) images, normalised, for the model-only rows
    dl = test_dl(big, size, tmp/'stats.json', ids=[a for a, _ in rows[:8*bs]], folder='train', bs=bs, device=dev)
    xs = [xb.as_subclass(torch.Tensor).clone() for xb, *_ in dl]
    ys = [(torch.rand(bs, 28, device=dev) < 0.1).float() for _ in xs]
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
