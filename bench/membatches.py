"""Loaders over batches already in memory (on the CPU or a GPU), for timing the training loop without a data pipeline.

`mem_dls(train, valid, device)` gives fastai `DataLoaders` whose loaders yield the given (x, y) batches as they are:
`hpa_learner` and `fit_warmup` run on them unchanged. Used by bench_loop.py (CPU) and bench_gpu.py (GPU).
"""
import torch
from fastai.data.core import DataLoaders

class MemDL:
    "A loader that yields the same list of (x, y) batches every epoch"
    def __init__(self, batches, device):
        self.batches, self.device, self.dataset = batches, torch.device(device), None
        self.n, self.bs = sum(len(b[0]) for b in batches), len(batches[0][0])
    def __iter__(self): return iter(self.batches)
    def __len__(self): return len(self.batches)
    def to(self, device): self.device = torch.device(device); return self
    def one_batch(self): return self.batches[0]

def mem_dls(train, valid, device)->DataLoaders:
    "fastai DataLoaders over in-memory batches"
    return DataLoaders(MemDL(train, device), MemDL(valid, device), device=torch.device(device))

def random_batches(n, bs, size, device, seed=0, p=0.1):
    "`n` batches of normalised-looking (bs, 4, size, size) float32 images and (bs, 28) 0/1 targets"
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(bs, 4, size, size, generator=g).to(device), (torch.rand(bs, 28, generator=g) < p).float().to(device)) for _ in range(n)]
