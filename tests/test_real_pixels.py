"""Every step on real pixels: the 20 real competition samples that ship in `real_data/samples` laid out as a
Kaggle folder, 16 for training and 4 as the test set, through `hpa_stats`, `hpa_cache`, `hpa_train` (a tiny run),
`hpa_predict` and `hpa_score`. Checked: the statistics equal numpy's on those images, the cache gives them back
byte for byte, and the submission is a valid one for the 4 test Ids.
"""
import json, os
import numpy as np, pandas as pd, pytest
import imagecodecs
from clitools import run
from kaggle_standin import REAL_SAMPLES, CHANNELS

REAL = REAL_SAMPLES/'train'

def real_folder(out):
    "The 20 real samples as a Kaggle-layout folder: the first 16 (labels.csv order) train, the last 4 test (answers in test_labels.csv)"
    lab = pd.read_csv(REAL_SAMPLES/'train.csv', dtype=str)
    assert len(lab) == 20, len(lab)
    tr, te = lab.iloc[:16], lab.iloc[16:]
    for split, df in (('train', tr), ('test', te)):
        (out/split).mkdir(parents=True)
        for i in df.Id:
            for c in CHANNELS: os.symlink(REAL/f'{i}_{c}.png', out/split/f'{i}_{c}.png')
    tr.to_csv(out/'train.csv', index=False)
    pd.DataFrame({'Id': te.Id, 'Predicted': '0'}).to_csv(out/'sample_submission.csv', index=False)
    te.to_csv(out/'test_labels.csv', index=False)
    return tr.Id.tolist(), te.Id.tolist()

def pixels(folder, ids):
    "(n, 4, H, W) uint8, decoded by imagecodecs directly (not through the library)"
    return np.stack([np.stack([imagecodecs.png_decode((folder/f'{i}_{c}.png').read_bytes()) for c in CHANNELS]) for i in ids])

def test_real_samples_end_to_end(tmp_path, monkeypatch):
    from hpa_fastai.cache import CacheReader
    from hpa_fastai.predict import read_submission
    monkeypatch.setenv('HPA_CACHE', str(tmp_path/'hpa_cache'))  # `hpa_train --cache` builds its cache here
    d = tmp_path/'real'; train_ids, test_ids = real_folder(d)
    x = pixels(d/'train', train_ids)
    assert x.shape == (16, 4, 512, 512)

    # statistics: exactly numpy's over all pixels of the 16 training images
    run('hpa_stats', '--data', d, '--out', tmp_path/'stats.json', '--workers', 1)
    st = json.loads((tmp_path/'stats.json').read_text())
    v = x.transpose(1, 0, 2, 3).reshape(4, -1).astype(np.float64) / 255
    np.testing.assert_allclose(st['mean'], v.mean(1), rtol=0, atol=1e-6)
    np.testing.assert_allclose(st['std'], v.std(1), rtol=0, atol=1e-6)

    # the compressed cache gives every sample back byte for byte
    run('hpa_cache', '--data', d, '--out', tmp_path/'cache', '--threads', 1)
    r = CacheReader(tmp_path/'cache')
    for k, row in enumerate(r.rows(train_ids)): assert np.array_equal(r.read(row), x[k]), train_ids[k]

    # a tiny training run from the cache, then prediction and scoring of the 4 test samples
    run('hpa_train', '--data', d, '--out', tmp_path/'run', '--stats', tmp_path/'stats.json', '--size', 64, '--epochs', 1,
        '--warmup', 1, '--bs', 4, '--lr', 1e-3, '--skip_lr_find', '--cache', '--arch', 'resnet18', '--device', 'cpu')
    res = json.loads((tmp_path/'run'/'run.json').read_text())
    assert 0 <= res['valid_f1_macro'] <= 1
    assert (tmp_path/'hpa_cache').is_dir()  # trained from its compressed cache
    run('hpa_predict', '--runs', tmp_path/'run', '--data', d, '--out', tmp_path/'submission.csv', '--tta', 2, '--device', 'cpu')
    sub = read_submission(tmp_path/'submission.csv', test_ids)  # raises on a wrong Id, order or label
    assert sub.Id.tolist() == test_ids
    s = json.loads(run('hpa_score', '--submission', tmp_path/'submission.csv', '--labels', d/'test_labels.csv', '--as_json').stdout)
    assert s['n'] == 4 and 0 <= s['f1_macro'] <= 1 and len(s['f1_per_class']) == 28
