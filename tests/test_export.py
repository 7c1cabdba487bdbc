"""fastai's export/load_learner round trip of an `hpa_learner`, end to end in a fresh folder (the notebook's version: 10_predict)."""
import pickle, warnings
import numpy as np, torch
from fastai.learner import load_learner
from hpa_fastai.synth import make_synth
from hpa_fastai.data_block import hpa_dls
from hpa_fastai.learner import hpa_learner
from hpa_fastai.predict import predict_tta

def test_export_load_predict(tmp_path):
    "A loaded learner predicts the validation images (by Id, from their folder) as the exported one did; the file holds no data"
    data = make_synth(tmp_path/'hpa', n=16, n_test=0, size=64, seed=0)
    torch.manual_seed(0)
    learn = hpa_learner(hpa_dls(data, size=32, bs=8, device='cpu', oversample=True), arch='resnet18', path=tmp_path)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)  # trained: its own weights and BatchNorm statistics
    assert learn.dls.train.wgts is not None  # sampling weights: one per training item, must not travel
    vids = list(learn.dls.valid_ds.ids)
    assert learn.loss_func.activation(torch.zeros(1)) == 0.5  # get_preds's activation: the sigmoid (probabilities both sides)
    with learn.no_bar(): want, _ = learn.get_preds(dl=learn.dls.valid)
    learn.export('export.pkl'); fn = tmp_path/'export.pkl'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # fastai's warning that unpickling runs code
        learn2 = load_learner(fn, cpu=True)
    dl = learn2.dls.test_dl(vids, folder=data/'train')
    assert dl.dataset.ids == vids and not dl.shuffle
    with learn2.no_bar(): got, targs = learn2.get_preds(dl=dl)
    assert got.shape == (len(vids), 28) and not targs.any()
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6, rtol=0)
    np.testing.assert_allclose(predict_tta(learn2, dl, 1, progress=False), want.numpy(), atol=1e-6, rtol=0)
    # no training data: empty data sets, no sampling weights, no Id or data folder in the file; little beyond the weights
    assert len(learn2.dls.train_ds) == len(learn2.dls.valid_ds) == 0 and learn2.dls.train.wgts is None
    blob = fn.read_bytes()
    assert not [i for i in learn.dls.train_ds.ids + vids if i.encode() in blob]
    assert str(data).encode() not in blob
    weights = sum(v.numel() * v.element_size() for v in learn.model.state_dict().values())
    assert weights < len(blob) < weights + 500_000, (len(blob), weights)
    assert len(pickle.dumps(learn2.dls.valid.after_batch)) < 5_000  # the transforms: a resize, a crop, 8 statistics
