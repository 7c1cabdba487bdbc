"""Multi-process data loading (does not fit a notebook: forking workers inside nbdev_test's kernels can deadlock)."""
import pytest, torch
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls

def test_workers_give_same_batches(tmp_path):
    data = make_synth(tmp_path/'s', n=32, n_test=0, size=64, seed=0)
    b0 = list(hpa_dls(data, size=64, bs=8, device='cpu').train)
    b2 = list(hpa_dls(data, size=64, bs=8, device='cpu', num_workers=2).train)
    assert len(b0) == len(b2) > 0
    for (x0, y0), (x2, y2) in zip(b0, b2):
        assert torch.equal(y0, y2) and torch.equal(x0, x2)

@pytest.mark.parametrize('how', ['missing', 'truncated'])
def test_worker_error_is_the_original(tmp_path, how):
    "An error in a worker process reaches the caller as itself (type and one-line message naming the Id and file), not torch's folded traceback"
    from hpa_fastai.stats import channel_stats, save_stats
    data = make_synth(tmp_path/'s', n=16, n_test=0, size=64, seed=0)
    ids = [l.split(',')[0] for l in (data/'train.csv').read_text().splitlines()[1:]]
    stats = save_stats(*channel_stats(data/'train', ids, size=32, n_workers=0, progress=False), tmp_path/'stats.json')
    dl = hpa_dls(data, stats=stats, size=32, bs=4, device='cpu', num_workers=1).train
    id_ = dl.dataset.ids[0]; fn = data/'train'/f'{id_}_green.png'
    if how == 'missing': fn.unlink()
    else: fn.write_bytes(fn.read_bytes()[:60])
    with pytest.raises(FileNotFoundError if how == 'missing' else ValueError) as e:
        for _ in dl: pass
    msg = str(e.value)
    assert msg.startswith(f'Id {id_}: ') and fn.name in msg and '\n' not in msg and 'Caught' not in msg, msg
