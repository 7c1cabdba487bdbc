"""Multi-process data loading (does not fit a notebook: forking workers inside nbdev_test's kernels can deadlock)."""
import torch
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls

def test_workers_give_same_batches(tmp_path):
    data = make_synth(tmp_path/'s', n=32, n_test=0, size=64, seed=0)
    b0 = list(hpa_dls(data, size=64, bs=8, device='cpu').train)
    b2 = list(hpa_dls(data, size=64, bs=8, device='cpu', num_workers=2).train)
    assert len(b0) == len(b2) > 0
    for (x0, y0), (x2, y2) in zip(b0, b2):
        assert torch.equal(y0, y2) and torch.equal(x0, x2)
