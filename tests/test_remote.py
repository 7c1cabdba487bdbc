"""The console scripts on a data set in S3: a real S3 API (moto's server) on 127.0.0.1, a synthetic set uploaded
to a bucket, then channel statistics, a short training and a prediction from `s3://`; and a server that goes away."""
import json, os, socket, subprocess
from pathlib import Path
import pytest
from clitools import BIN, synth_set

moto_server = pytest.importorskip('moto.server')
s3fs = pytest.importorskip('s3fs')

@pytest.fixture(scope='module')
def s3(tmp_path_factory):
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    srv = moto_server.ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False); srv.start()
    env = {**os.environ, 'AWS_ACCESS_KEY_ID': 'test', 'AWS_SECRET_ACCESS_KEY': 'test', 'AWS_DEFAULT_REGION': 'us-east-1',
           'FSSPEC_S3_ENDPOINT_URL': f'http://127.0.0.1:{port}', 'HPA_REMOTE_BACKOFF': '0.01', 'HPA_REMOTE_RETRIES': '2'}
    fs = s3fs.S3FileSystem(key='test', secret='test', endpoint_url=f'http://127.0.0.1:{port}')
    fs.mkdir('hpa')
    data = synth_set(tmp_path_factory, 24, 6, 64, 0)
    fs.put(str(data), 'hpa/synth', recursive=True)
    yield {'env': env, 'fs': fs, 'local': data, 'srv': srv}
    srv.stop()

def run(cmd, args, env, ok=True):
    r = subprocess.run([str(BIN/cmd), *map(str, args)], capture_output=True, text=True, env=env, timeout=600)
    if ok: assert r.returncode == 0, r.stderr[-3000:]
    return r

def test_scripts_from_s3(s3, tmp_path):
    env = {**s3['env'], 'HPA_CACHE': str(tmp_path/'cache')}
    # statistics: the same bytes as from the local copy
    run('hpa_stats', ['--data', 's3://hpa/synth', '--out', tmp_path/'s3.json', '--workers', 2], env)
    run('hpa_stats', ['--data', s3['local'], '--out', tmp_path/'local.json', '--workers', 2], env)
    assert (tmp_path/'s3.json').read_bytes() == (tmp_path/'local.json').read_bytes()
    # the training images are in the local cache now, byte for byte, with nothing half-written beside them
    mirror = tmp_path/'cache'/'remote'/'s3'/'hpa'/'synth'
    pngs = sorted(p.name for p in (mirror/'train').glob('*.png'))
    assert pngs == sorted(p.name for p in (s3['local']/'train').glob('*.png')) and len(pngs) == 96
    assert all((mirror/'train'/n).read_bytes() == (s3['local']/'train'/n).read_bytes() for n in pngs)
    assert not [p for p in mirror.rglob('*') if '.tmp' in p.name]
    # the uint8 cache builds from s3:// too
    run('hpa_cache', ['--data', 's3://hpa/synth', '--size', 32, '--out', tmp_path/'c32'], env)
    assert json.loads((tmp_path/'c32'/'index.json').read_text())['n'] == 24
    # a short training and a prediction from s3://
    run('hpa_train', ['--data', 's3://hpa/synth', '--out', tmp_path/'run', '--arch', 'resnet18', '--size', 32, '--epochs', 1,
                      '--warmup', 0, '--bs', 8, '--lr', 1e-3, '--skip_lr_find', '--device', 'cpu'], env)
    run('hpa_predict', ['--runs', tmp_path/'run', '--data', 's3://hpa/synth', '--tta', 2, '--out', tmp_path/'sub.csv', '--device', 'cpu'], env)
    r = run('hpa_score', ['--submission', tmp_path/'sub.csv', '--labels', 's3://hpa/synth/test_labels.csv', '--as_json'], env)
    assert 0 <= json.loads(r.stdout)['f1_macro'] <= 1
    assert len(list((mirror/'test').glob('*.png'))) == 24

def test_missing_object_and_server_down(s3, tmp_path):
    env = {**s3['env'], 'HPA_CACHE': str(tmp_path/'cache')}
    s3['fs'].rm('hpa/synth/train/' + sorted(p.name for p in (s3['local']/'train').glob('*_green.png'))[0])
    r = run('hpa_stats', ['--data', 's3://hpa/synth', '--out', tmp_path/'s.json', '--workers', 1], env, ok=False)
    assert r.returncode != 0 and 'missing channel file (s3://hpa/synth/train/' in r.stderr and 'no such object' in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'s.json').exists()
    s3['srv'].stop()
    try:
        code = "from hpa_fastai.data import open_rgby; open_rgby('s3://hpa/synth/test', 'x')"
        quick = {**env, 'AWS_MAX_ATTEMPTS': '1', 'AWS_RETRY_MODE': 'standard'}  # botocore's own retries of a refused connection: ours are tested
        r = subprocess.run([str(BIN/'python'), '-c', code], capture_output=True, text=True, env=quick, timeout=300)
        assert r.returncode != 0 and 's3://hpa/synth/test/x_red.png: failed after 3 attempts' in r.stderr, r.stderr[-2000:]
        assert not [p for p in (tmp_path/'cache').rglob('*') if p.name.startswith('x_') or '.tmp' in p.name]  # nothing half-written
    finally: s3['srv'].start()
