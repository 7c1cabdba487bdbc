"""One process of tests/test_distributed.py, started by `torchrun`: `dist_worker.py DATA OUT LOG_DIR`.

It runs the `hpa_train` console script's entry point (which joins the gloo group itself). To let the test see
inside the processes, two library functions are wrapped: `hpa_learner` (as `hpa_fastai.train` calls it) adds a callback that records, per
epoch, how many training items this process saw and what the model was wrapped in; `gather_preds`, called
right after training, first saves the weights this process ended with."""
import json, sys, torch
from pathlib import Path
from fastai.callback.core import Callback
from fastai.torch_core import rank_distrib, get_model, find_bs
import hpa_fastai.train as L

data, out, log = sys.argv[1], sys.argv[2], Path(sys.argv[3])
rank = rank_distrib()

class Record(Callback):
    def before_fit(self): self.seen = []
    def before_epoch(self): self.n, self.wrapper = 0, None
    def after_batch(self):
        if self.training: self.n += find_bs(self.learn.yb); self.wrapper = type(self.learn.model).__name__
    def after_epoch(self): self.seen.append({'items': self.n, 'model': self.wrapper})
    def after_fit(self):
        f = log/f'rank{rank}_epochs.json'
        old = json.loads(f.read_text()) if f.exists() else []
        f.write_text(json.dumps(old + self.seen))

orig_learner, orig_gather = L.hpa_learner, L.gather_preds
def recording_learner(*a, **k):
    learn = orig_learner(*a, **k); learn.add_cb(Record()); return learn
def save_then_gather(learn, dl):
    torch.save({k: v.detach().cpu() for k, v in get_model(learn.model).state_dict().items()}, log/f'rank{rank}.pth')
    return orig_gather(learn, dl)
L.hpa_learner, L.gather_preds = recording_learner, save_then_gather
L.hpa_train.cli(['--data', data, '--out', out, '--arch', 'resnet18', '--size', '32', '--epochs', '2', '--warmup', '1',
                 '--bs', '8', '--lr', '3e-3', '--skip_lr_find', '--device', 'cpu', '--seed', '0'])
