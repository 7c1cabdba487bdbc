"""`hpa_train` data-parallel in 2 processes: torchrun, the gloo backend, loopback, CPU (what CI has).

tests/dist_worker.py is each process: the console script's entry point, with a record of what every process
saw and the weights it ended with."""
import json, socket, subprocess
from pathlib import Path
import pandas as pd, pytest, torch
from clitools import BIN, synth_set

WORKER = Path(__file__).parent/'dist_worker.py'

@pytest.fixture(scope='module')
def data(tmp_path_factory): return synth_set(tmp_path_factory, 64, 8, 64, 0)

def torchrun(data, out, log, nproc=2):
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    log.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(BIN/'torchrun'), f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1', f'--master_port={port}',
                           str(WORKER), str(data), str(out), str(log)], capture_output=True, text=True, timeout=300)

def test_two_processes(data, tmp_path):
    out, log = tmp_path/'run', tmp_path/'log'
    r = torchrun(data, out, log)
    assert r.returncode == 0, r.stderr[-4000:]
    # both processes end with the same weights, and rank 0 saved them
    w0, w1, saved = torch.load(log/'rank0.pth'), torch.load(log/'rank1.pth'), torch.load(out/'model.pth')
    assert w0.keys() == w1.keys() == saved.keys()
    for k in w0: assert torch.equal(w0[k], w1[k]) and torch.equal(w0[k], saved[k]), k
    # each process trained a DistributedDataParallel model on half of every epoch (1 warm-up + 2 epochs)
    run = json.loads((out/'run.json').read_text())
    assert run['processes'] == 2
    half = run['n_train'] // 8 * 8 // 2  # the training loader drops the last partial batch of 8
    for rank in (0, 1):
        assert json.loads((log/f'rank{rank}_epochs.json').read_text()) == [{'items': half, 'model': 'DistributedDataParallel'}] * 3
    # the validation predictions hold every validation image exactly once
    vp, folds = pd.read_csv(out/'valid_preds.csv'), pd.read_csv(out/'folds.csv')
    assert sorted(vp.Id) == sorted(folds.Id[folds.fold == 0]) and vp.Id.is_unique and len(vp) == run['n_valid']
    # one set of files, one header and one row per epoch in the history
    assert sorted(p.name for p in out.iterdir()) == ['.hpa_fastai', 'curves.png', 'folds.csv', 'history.csv', 'model.pth', 'run.json',
                                                     'stats.json', 'thresholds.json', 'valid_preds.csv']
    h = pd.read_csv(out/'history.csv')
    assert h.epoch.tolist() == [0, 1, 2] and h.stage.tolist() == ['warmup', 'train', 'train']
    # a failure in rank 0 (the folder holds a finished run) stops every process with its message, none hangs
    r = torchrun(data, out, tmp_path/'log2')
    assert r.returncode != 0 and 'holds a finished run' in r.stderr and 'rank 0 failed' in r.stderr, r.stderr[-3000:]
