"""One `hpa_run` locates its data once and reads each label file once: the data handle (`HPAData`) is made at the
command's edge and passed down. Counted in process, on a data set behind a URL (fsspec's in-memory filesystem), where
every extra look-up would be a remote call."""
import collections, importlib, pkgutil
import fsspec, pytest
import hpa_fastai
from hpa_fastai.remote import is_url
from clitools import synth_set


@pytest.fixture(scope='module')
def synth(tmp_path_factory): return synth_set(tmp_path_factory, 24, 6, 64, 3)

def _count(monkeypatch)->collections.Counter:
    "Wrap `read_labels` (counted per file name) and `local_data` (counted per URL) wherever a module of the library holds them"
    from hpa_fastai.data import read_labels
    from hpa_fastai.remote import local_data
    n = collections.Counter()
    def rl(csv, *a, **k): n[f'read {str(csv).rsplit("/", 1)[-1]}'] += 1; return read_labels(csv, *a, **k)
    def ld(data, *a, **k):
        if is_url(data): n[f'locate {data}'] += 1
        return local_data(data, *a, **k)
    for m in pkgutil.iter_modules(hpa_fastai.__path__):
        mod = importlib.import_module(f'hpa_fastai.{m.name}')
        if getattr(mod, 'read_labels', None) is read_labels: monkeypatch.setattr(mod, 'read_labels', rl)
        if getattr(mod, 'local_data', None) is local_data: monkeypatch.setattr(mod, 'local_data', ld)
    return n

def test_hpa_run_reads_each_label_file_once(synth, tmp_path, monkeypatch):
    fs = fsspec.filesystem('memory'); fs.put(str(synth), '/handle', recursive=True)
    monkeypatch.setenv('HPA_CACHE', str(tmp_path/'cache'))
    n = _count(monkeypatch)
    from hpa_fastai.pipeline import hpa_run
    hpa_run(data='memory://handle', out=tmp_path/'run', epochs=1, warmup=0, size=32, bs=8, tta=1, lr=1e-2, device='cpu',
            lr_find_iters=5)
    assert (tmp_path/'run'/'submission.csv').exists() and (tmp_path/'run'/'report.html').exists()
    assert n == {'locate memory://handle': 1, 'read train.csv': 1, 'read sample_submission.csv': 1, 'read test_labels.csv': 1}, n
