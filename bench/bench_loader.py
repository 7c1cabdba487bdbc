"""Loader throughput: the naive Kaggle-kernel loader vs `hpa_dls` on PNGs and on the uint8 cache (samples/s at 256 px).

Synthetic 512 px Kaggle-layout set (make_synth, n=64); for the cache runs the 64 samples are listed 10 times
(symlinked under new Ids) so that an epoch is long enough to time. Run: python bench/bench_loader.py
"""
import os, sys, time, tempfile, warnings
from pathlib import Path
warnings.filterwarnings('ignore')
import numpy as np, torch, cv2
from PIL import Image
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import read_labels, open_rgby
from concurrent.futures import ThreadPoolExecutor
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.cache import build_cache

SIZE, BS = 256, 32

class NaiveDS(torch.utils.data.Dataset):
    "The popular Kaggle-kernel loader: 4x PIL open, np.stack, cv2.resize, float /255"
    def __init__(self, folder, ids): self.folder, self.ids = folder, ids
    def __len__(self): return len(self.ids)
    def __getitem__(self, i):
        x = np.stack([np.array(Image.open(self.folder/f'{self.ids[i]}_{c}.png')) for c in CHANNELS], -1)
        x = cv2.resize(x, (SIZE, SIZE)).astype(np.float32) / 255
        return torch.from_numpy(x.transpose(2, 0, 1).copy()), torch.zeros(28)

def rate(make_iter, n_epochs):
    "samples/s over n_epochs full passes (worker start-up included), after one warm-up batch pass"
    n, t = 0, time.perf_counter()
    for _ in range(n_epochs):
        for xb, yb in make_iter(): n += len(xb)
    return n / (time.perf_counter() - t)

def main():
    tmp = Path(tempfile.mkdtemp())
    t = time.perf_counter(); data = make_synth(tmp/'s', n=64, n_test=1, size=512, seed=0)
    print(f"synthetic set: 64 x 512px in {time.perf_counter()-t:.1f}s")
    ids = read_labels(data/'train.csv').Id.tolist()
    big = tmp/'big'; (big/'train').mkdir(parents=True)
    df = read_labels(data/'train.csv'); rows = []
    for k in range(10):
        for i, tg in zip(df.Id, df.Target):
            for c in CHANNELS: os.symlink(data/'train'/f'{i}_{c}.png', big/'train'/f'{i}x{k}_{c}.png')
            rows.append(f'{i}x{k},{tg}\n')
    (big/'train.csv').write_text('Id,Target\n' + ''.join(rows))

    bids = [r.split(',')[0] for r in rows[:256]]
    naive = torch.utils.data.DataLoader(NaiveDS(big/'train', bids), batch_size=BS, shuffle=True, num_workers=2)
    r_naive = rate(lambda: naive, 1)
    # the raw-decode limit: open_rgby at 256 (4 PNG decodes + resize) in 2 threads, nothing else
    with ThreadPoolExecutor(2) as ex:
        t = time.perf_counter(); list(ex.map(lambda i: open_rgby(big/'train', i, size=SIZE, threads=False), bids))
        r_dec = len(bids) / (time.perf_counter() - t)
    # folds=None and stats=None would compute both; give the stats once so the timing is the loader's alone
    from hpa_fastai.stats import channel_stats, save_stats
    save_stats(*channel_stats(data/'train', ids, size=SIZE, n_workers=0, progress=False), tmp/'stats.json')
    (tmp/'folds.csv').write_text('Id,fold\n' + ''.join(f"{r.split(',')[0]},{int(k >= 256)}\n" for k, r in enumerate(rows)))
    png = {}
    for nw in (0, 2):  # 0 workers: the loader's own threads (one per core); 2 worker processes
        d = hpa_dls(big, folds=tmp/'folds.csv', valid_fold=1, stats=tmp/'stats.json', size=SIZE, bs=BS, num_workers=nw, device='cpu')
        png[nw] = rate(lambda: d.train, 1)
    t = time.perf_counter(); c = build_cache(big, SIZE, tmp/'cache', progress=False)
    print(f"cache of {len(rows)} samples at {SIZE}px built in {time.perf_counter()-t:.1f}s")
    res = {}
    for nw in (0, 2):
        d = hpa_dls(big, stats=tmp/'stats.json', size=SIZE, bs=BS, num_workers=nw, device='cpu', cache=c)
        res[nw] = rate(lambda: d.train, 3)
        # the same loader without the batch-wise normalisation (which runs on the GPU when there is one)
        d.train.after_batch = type(d.train.after_batch)([])
        res[f'{nw}raw'] = rate(lambda: d.train, 3)
    print(f"\n{'loader (256 px, augmented, bs 32)':58s} {'samples/s':>10s} {'x naive':>8s}  goal")
    print(f"{'naive Kaggle (PIL x4, stack, resize, /255; 2 workers)':58s} {r_naive:10.0f} {1:8.2f}")
    print(f"{'raw-decode limit (open_rgby x 2 threads, no loader)':58s} {r_dec:10.0f} {r_dec/r_naive:8.2f}")
    for nw in (0, 2):
        what = '2 threads' if nw == 0 else '2 workers'
        print(f"{f'hpa_dls PNG, {what}':58s} {png[nw]:10.0f} {png[nw]/r_naive:8.2f}  >= 2x naive ({png[nw]/r_dec:.2f}x decode limit)")
    for nw in (0, 2):
        what = '2 threads' if nw == 0 else '2 workers'
        print(f"{f'hpa_dls cache, {what}, uint8 batches (float on the device)':58s} {res[f'{nw}raw']:10.0f} {res[f'{nw}raw']/r_naive:8.2f}  >= 2000/s")
        print(f"{f'hpa_dls cache, {what}, normalised on this CPU':58s} {res[nw]:10.0f} {res[nw]/r_naive:8.2f}")
    print(f"(cpus: {os.cpu_count()}, torch threads: {torch.get_num_threads()})")

if __name__ == '__main__': main()
