"""Memory of a 1-epoch training run over a uint8 cache twice as large as the memory it is given.

The real case: the 512 px cache of train + external data is about 33 + 78 GB, more than a training machine's
RAM. The stand-in here: a cache of N samples at 256 px (3.0 GB by default) and a run confined to a cgroup (v1
memory controller, the machine has one) limited to half that (1.5 GB). The cgroup's limit counts the page cache
too, so the run cannot hold the cache in memory: it must stream it from disk (the cache is a memory-mapped
`.npy`; each item is copied out of the map, whose clean pages the kernel drops under the limit). The run
# trains on random 64 px crops of the 256 px samples, so that a CPU gets through an epoch in minutes.

Baseline, same limit, same cache: loading the cache whole (`np.load` without `mmap_mode`), which is killed.
Prints the run's peak memory (the cgroup's maximum usage, and the process's own peak anonymous memory, sampled)
as a fraction of the cache size. Needs root (to make the cgroup). Run: python bench/bench_memory.py

`--codec lz4hc --gb 1.5 --limit-gb 0.75 --size 128 --crop 64`: the same for the compressed cache (issue 17), built
at 512 px from the 20 real samples listed N times; one chunk is read per sample (`chunks.bin` is memory-mapped).
"""
import argparse, json, os, resource, subprocess, sys, tempfile, threading, time
from pathlib import Path

def child(args):
    "The measured run, inside the cgroup: 1 epoch of ResNet-18 on random crops of the cached samples"
    import numpy as np, torch
    from hpa_fastai.data_block import hpa_dls
    from hpa_fastai.learner import hpa_learner
    peak = {'anon': 0, 'file': 0}
    def sample():
        while True:
            st = dict(l.split(':', 1) for l in Path('/proc/self/status').read_text().splitlines() if ':' in l)
            peak['anon'] = max(peak['anon'], int(st['RssAnon'].split()[0]) * 1024)
            peak['file'] = max(peak['file'], int(st['RssFile'].split()[0]) * 1024)
            time.sleep(0.2)
    threading.Thread(target=sample, daemon=True).start()
    torch.manual_seed(0)
    d = Path(args.dir)
    dls = hpa_dls(d/'big', folds=d/'folds.csv', valid_fold=1, stats=d/'stats.json', size=args.size, crop=args.crop, bs=32, device='cpu', cache=d/'cache')
    learn = hpa_learner(dls, arch='resnet18')
    t = time.time()
    with learn.no_bar(): learn.fit(1, 1e-3)
    time.sleep(0.5)
    print(json.dumps({'seconds': time.time() - t, 'n_train': len(dls.train_ds), 'peak_anon': peak['anon'], 'peak_file': peak['file'],
                      'maxrss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 'valid_loss': float(learn.recorder.values[-1][0])}))

def cache_file(d:Path)->Path: return next(f for f in (d/'cache'/'images.npy', d/'cache'/'chunks.bin') if f.exists())

def whole(args):
    "The baseline, inside the cgroup: the cache loaded into memory"
    x = Path(cache_file(Path(args.dir))).read_bytes()
    print(json.dumps({'loaded': len(x)}))

def evict(fn):
    "Drop `fn`'s pages from the page cache: pages cached by the build are charged to this process, not the run's cgroup"
    fd = os.open(fn, os.O_RDONLY)
    try: os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally: os.close(fd)

def in_cgroup(cg, *argv):
    "Run this script with `argv` as a process of cgroup `cg`; returns (returncode, stdout, stderr)"
    cmd = f'echo $$ > {cg}/cgroup.procs && exec {sys.executable} {Path(__file__).resolve()} ' + ' '.join(argv)
    r = subprocess.run(['sh', '-c', cmd], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--gb', type=float, default=3.0, help='cache size')
    p.add_argument('--limit-gb', type=float, default=1.5, help='memory the run is given (cgroup limit)')
    p.add_argument('--size', type=int, default=256)
    p.add_argument('--codec', default='npy', help="npy: a uint8 memmap of synthetic samples at --size; lz4hc/zstd/lz4: the compressed cache (512 px) of the real samples")
    p.add_argument('--crop', type=int, default=64, help='train on random crops of this side (a CPU trains 256 px at 6 img/s)')
    p.add_argument('--child', choices=['train', 'whole']); p.add_argument('--dir')
    args = p.parse_args()
    if args.child: return child(args) if args.child == 'train' else whole(args)

    from hpa_fastai.core import CHANNELS
    from hpa_fastai.data import read_labels
    from hpa_fastai.synth import make_synth
    from hpa_fastai.stats import channel_stats, save_stats
    from hpa_fastai.cache import build_cache
    S, real = args.size, args.codec != 'npy'
    per = 455e3 if real else 4 * S * S; n = int(args.gb * 1e9 // per)  # (a real sample takes about 455 KB in lz4hc)
    tmp = Path(tempfile.mkdtemp(dir=os.environ.get('HPA_BENCH_TMP')))
    t = time.time()
    if real: src = Path(__file__).resolve().parents[1]/'real_data'/'samples'
    else: src = make_synth(tmp/'s', n=200, n_test=0, size=S, seed=0)
    df = read_labels(src/'train.csv'); m = len(df); src_imgs = src/'train'
    big = tmp/'big'; (big/'train').mkdir(parents=True); rows = []
    for k in range(n):  # n Ids, each a link to one of the m source samples
        i, tg = df.Id[k % m], df.Target[k % m]
        for c in CHANNELS: os.symlink(src_imgs/f'{i}_{c}.png', big/'train'/f'{i}x{k}_{c}.png')
        rows.append((f'{i}x{k}', tg))
    (big/'train.csv').write_text('Id,Target\n' + ''.join(f'{a},{b}\n' for a, b in rows))
    (tmp/'folds.csv').write_text('Id,fold\n' + ''.join(f'{a},{int(k >= n - 256)}\n' for k, (a, _) in enumerate(rows)))
    save_stats(*channel_stats(src_imgs, df.Id.tolist(), size=S, n_workers=0, progress=False), tmp/'stats.json')
    build_cache(big, None if real else S, tmp/'cache', codec=args.codec, progress=False, threads=os.cpu_count())
    cf = cache_file(tmp); size = cf.stat().st_size; evict(cf)
    what = f"{args.codec} at 512 px (real samples)" if real else f"uint8 at {S}px"
    print(f"cache: {n} samples, {what} = {size/1e9:.2f} GB (built in {time.time()-t:.0f} s); memory given: {args.limit_gb:.2f} GB")

    cg = Path(f'/sys/fs/cgroup/memory/hpa_bench_{os.getpid()}'); cg.mkdir()
    try:
        limit = int(args.limit_gb * 1e9)
        (cg/'memory.limit_in_bytes').write_text(str(limit))
        if (cg/'memory.memsw.limit_in_bytes').exists(): (cg/'memory.memsw.limit_in_bytes').write_text(str(limit))  # no swap either
        rc, out, err = in_cgroup(cg, '--child', 'whole', '--dir', str(tmp))
        print(f"baseline, the cache loaded whole under the limit: {'killed (rc %d)' % rc if rc else 'NOT killed: ' + out.strip()}")
        (cg/'memory.max_usage_in_bytes').write_text('0'); evict(cf)
        rc, out, err = in_cgroup(cg, '--child', 'train', '--dir', str(tmp), '--size', str(S), '--crop', str(args.crop))
        if rc: print(f"training run FAILED under the limit (rc {rc}):\n{err[-2000:]}"); return 1
        r = json.loads(out.strip().splitlines()[-1]); cg_peak = int((cg/'memory.max_usage_in_bytes').read_text())
        print(f"1 epoch, ResNet-18, {r['n_train']} images at {S}px from the cache, random {args.crop}px crops: {r['seconds']:.0f} s ({r['n_train']/r['seconds']:.0f} img/s)")
        print(f"  cgroup peak (process + page cache):   {cg_peak/1e9:.2f} GB = {cg_peak/size:.2f} x the cache (limit {limit/size:.2f} x)")
        print(f"  process peak anonymous memory:        {r['peak_anon']/1e9:.2f} GB = {r['peak_anon']/size:.2f} x the cache")
        print(f"  process peak file-backed pages:       {r['peak_file']/1e9:.2f} GB (libraries and the cache map, dropped as needed)")
    finally:
        for _ in range(50):
            try: cg.rmdir(); break
            except OSError: time.sleep(0.2)
        import shutil; shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': sys.exit(main())
