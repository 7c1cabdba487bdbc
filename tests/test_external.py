"""`hpa_external` against a web server on 127.0.0.1 serving HPAv18-style colour JPEGs made here, then
`hpa_train --extra` on official + external data (external rows in training only)."""
import functools, http.server, json, threading
from pathlib import Path
import numpy as np, pandas as pd, pytest, cv2
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import read_labels, open_rgby
from hpa_fastai.external import external_url
from clitools import run, synth_set

IDS = [f'{p}_{k}_C1_{j}' for p, k in ((10580, 1610), (2345, 77)) for j in (1, 2, 3)]

@pytest.fixture
def server(tmp_path):
    www, rng = tmp_path/'www', np.random.default_rng(1)
    for i in IDS[:-1]:  # the last Id is not on the server
        for c in CHANNELS:
            rgb = np.zeros((128, 128, 3), np.uint8); rgb[..., {'red': 0, 'green': 1, 'blue': 2, 'yellow': 0}[c]] = rng.integers(0, 256, (128, 128))
            f = Path(external_url(i, c, str(www))); f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(cv2.imencode('.jpg', rgb[..., ::-1])[1].tobytes())
    h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    h.log_message = lambda *a: None
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), h)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}/'
    srv.shutdown()

def test_external_download_and_training(server, tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv('HPA_CACHE', str(tmp_path/'cache'))  # the caches hpa_train --cache makes
    lst = tmp_path/'list.csv'; lst.write_text('Id,Target\n' + ''.join(f'{i},{k % 28}\n' for k, i in enumerate(IDS)))
    out = tmp_path/'ext'
    r = run('hpa_external', '--labels', lst, '--out', out, '--base', server, '--size', 64, '--backoff', 0.01, ok=False)
    assert r.returncode != 0 and '1 Id(s) failed' in r.stderr and f"{external_url(IDS[-1], 'red', server)}: HTTP 404" in r.stderr, r.stderr
    assert read_labels(out/'train.csv').Id.tolist() == IDS[:-1]
    x = open_rgby(out/'train', IDS[0])
    assert x.shape == (4, 64, 64) and x.dtype == np.uint8 and (x.reshape(4, -1).std(1) > 0).all()
    mtimes = {p: p.stat().st_mtime_ns for p in (out/'train').iterdir()}
    run('hpa_external', '--labels', lst, '--out', out, '--base', server, '--size', 64, '--backoff', 0.01, ok=False)
    assert {p: p.stat().st_mtime_ns for p in (out/'train').iterdir()} == mtimes  # nothing fetched twice
    # official + external, from compressed caches: the external rows only ever train
    data = synth_set(tmp_path_factory, 24, 2, 64, 0)
    run('hpa_train', '--data', data, '--out', tmp_path/'run', '--extra', out, '--cache', '--arch', 'resnet18', '--size', 32, '--epochs', 1,
        '--warmup', 0, '--bs', 8, '--lr', 1e-3, '--skip_lr_find', '--device', 'cpu')
    res = json.loads((tmp_path/'run'/'run.json').read_text())
    folds = pd.read_csv(tmp_path/'run'/'folds.csv')
    assert res['n_train'] == (folds.fold != 0).sum() + len(IDS) - 1 and res['n_valid'] == (folds.fold == 0).sum()
    assert res['extra'] == [str(out.resolve())]
    idx = [json.loads(f.read_text()) for f in (tmp_path/'cache'/'cache').glob('*/index.json')]
    assert sorted((i['codec'], i['size'], i['n']) for i in idx) == sorted([('lz4hc', 64, 24), ('lz4hc', 64, len(IDS) - 1)])  # one compressed cache per folder, at the images' size
    assert set(pd.read_csv(tmp_path/'run'/'valid_preds.csv').Id) == set(folds.Id[folds.fold == 0])
