"""The compressed cache on real pixels (the 20 real samples that ship in real_data/samples), and a
corrupt chunk met during training: one line naming the Id and the cache file, and what to do."""
import os
from pathlib import Path
import numpy as np, pandas as pd, pytest
from hpa_fastai.core import CHANNELS
from hpa_fastai.data import open_rgby
from hpa_fastai.cache import build_cache, CacheReader
from hpa_fastai.train import hpa_train
from clitools import synth_set

from kaggle_standin import REAL_SAMPLES
REAL = REAL_SAMPLES/'train'

@pytest.mark.parametrize('codec, max_bytes', [('lz4hc', 1.25), ('zstd', 1.0)])
def test_real_samples_round_trip(tmp_path, codec, max_bytes):
    "Each real sample comes back byte for byte, in at most 1.25x the bytes of its PNGs (the default, lz4hc), or fewer (zstd)"
    data = tmp_path/'real'; (data/'train').mkdir(parents=True)
    lab = pd.read_csv(REAL_SAMPLES/'train.csv'); lab.to_csv(data/'train.csv', index=False)
    for i in lab.Id:
        for c in CHANNELS: os.symlink(REAL/f'{i}_{c}.png', data/'train'/f'{i}_{c}.png')
    c = build_cache(data, out=tmp_path/'c', codec=codec, progress=False)
    r = CacheReader(c)
    assert r.size == 512 and r.ids == lab.Id.tolist()
    for k, i in enumerate(lab.Id): np.testing.assert_array_equal(r.read(k), open_rgby(data/'train', i))
    png = sum((REAL/f'{i}_{ch}.png').stat().st_size for i in lab.Id for ch in CHANNELS)
    assert (c/'chunks.bin').stat().st_size <= max_bytes * png

def test_corrupt_chunk_stops_training_with_one_line(tmp_path, tmp_path_factory, monkeypatch, capsys):
    "hpa_train --cache on a cache with a damaged chunk exits 1 with one line that names the Id, the file and the remedy"
    monkeypatch.setenv('HPA_CACHE', str(tmp_path/'hpa_cache'))
    data = synth_set(tmp_path_factory, 16, 2, 64, 0)
    c = build_cache(data, progress=False)  # where hpa_train --cache finds it
    start, n, _ = np.load(c/'table.npy')[3]
    with open(c/'chunks.bin', 'r+b') as f: f.seek(int(start) + n // 2); b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0xFF]))
    bad_id = CacheReader(c).ids[3]
    import hpa_fastai.cache
    monkeypatch.setattr(hpa_fastai.cache, '_verify_chunks', lambda *a: None)  # the chunk goes bad after the start's check of the cache
    with pytest.raises(SystemExit) as e:
        hpa_train.cli(['--data', str(data), '--out', str(tmp_path/'run'), '--size', '32', '--epochs', '1', '--warmup', '0',
                       '--bs', '4', '--skip_lr_find', '--lr', '1e-2', '--cache', '--device', 'cpu'])
    msg = str(e.value.code)
    assert '\n' not in msg.strip() and msg.startswith('hpa_train: '), msg
    assert f'the chunk of Id {bad_id} is corrupt' in msg and str(c/'chunks.bin') in msg and 'build the cache again' in msg, msg
    assert 'Traceback' not in capsys.readouterr().err
