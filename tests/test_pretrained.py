"""ImageNet weights in the commands: `hpa_run --pretrained` takes torchvision's file from the torch hub cache (seeded here
under torchvision's file name: the tests never download) and records it; without the file and without the network it
stops before any work with one line naming the file and where it belongs."""
import json
from pathlib import Path
import torch, torchvision
from clitools import run, synth_set

SMALL = ['--size', '32', '--epochs', '0', '--warmup', '1', '--tta', '1', '--lr_find_iters', '10', '--bs', '16', '--device', 'cpu',
         '--arch', 'resnet18']

def test_hpa_run_pretrained_from_the_hub_cache(tmp_path_factory, tmp_path, monkeypatch):
    data = synth_set(tmp_path_factory, 40, 8, 64, 0)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path/'torch')); monkeypatch.setenv('HTTPS_PROXY', 'http://127.0.0.1:9')
    monkeypatch.setenv('HTTP_PROXY', 'http://127.0.0.1:9')  # any download attempt fails at once
    monkeypatch.setenv('NO_ALBUMENTATIONS_UPDATE', '1')  # (albumentations' own version check would warn)
    fn = Path(torchvision.models.ResNet18_Weights.DEFAULT.url).name
    r = run('hpa_run', '--data', data, '--out', tmp_path/'r0', '--pretrained', *SMALL, ok=False)
    assert r.returncode == 1 and f"{fn} is not in the torch hub cache" in r.stderr and str(tmp_path/'torch'/'hub'/'checkpoints') in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith('hpa_run: pretrained weights for resnet18: ') and 'Traceback' not in r.stderr
    assert not (tmp_path/'r0').exists()
    torch.manual_seed(0); sd = torchvision.models.resnet18(weights=None).state_dict()  # stands in for ImageNet's
    ck = tmp_path/'torch'/'hub'/'checkpoints'; ck.mkdir(parents=True, exist_ok=True); torch.save(sd, ck/fn)
    out = tmp_path/'r1'; run('hpa_run', '--data', data, '--out', out, '--pretrained', *SMALL)
    m = json.loads((out/'metrics.json').read_text()); rj = json.loads((out/'train'/'run.json').read_text())
    assert m['weights_file'] == rj['weights_file'] == str(ck/fn) and rj['pretrained'] is True
    model = torch.load(out/'train'/'model.pth', weights_only=True)
    # the warm-up trains the first conv and the head only: the body's later convs are the file's, unchanged
    assert any(v.shape == sd['layer3.1.conv2.weight'].shape and torch.equal(v, sd['layer3.1.conv2.weight']) for v in model.values())
