"""How far the synthetic images are from real ones (issue 20's figures): real next to synthetic, per channel.

Real: the 20 complete real competition samples in ../shared/data/hpa/real_sample (512 px). Synthetic: `make_synth`,
20 training samples at 512 px, seed 0. Printed per channel: mean and std of the pixels (0..1), the fraction of
exact zeros, the median PNG file size (the real files as Kaggle stored them, the synthetic as `hpa_synth` writes
them, and both re-encoded with OpenCV's default PNG settings, which compares content rather than encoders), and
per sample the cache codec's bytes (lz4hc level 4, the default of `hpa_cache`).

Two-sample test ("could a classifier tell them apart?"): each sample resized to 128 px (INTER_AREA), described per
channel by mean, std, fraction of zeros, the 10th/50th/90th percentiles and the mean absolute Laplacian (texture);
a logistic regression (scikit-learn, C=1, standardised features), 5-fold stratified cross-validation (seed 0);
the ROC AUC of the out-of-fold scores. 0.5: indistinguishable; 1.0: always told apart.

Run: python bench/measure_realism.py [REAL_FOLDER]
"""
import sys, tempfile
from pathlib import Path
import numpy as np, cv2, imagecodecs

CH = ('red', 'green', 'blue', 'yellow')

def load(folder, ids):
    return np.stack([np.stack([imagecodecs.png_decode((folder/f'{i}_{c}.png').read_bytes()) for c in CH]) for i in ids])

def png_bytes(folder, ids, c): return np.median([(folder/f'{i}_{c}.png').stat().st_size for i in ids])

def reencoded(x, k): return np.median([len(cv2.imencode('.png', s[k])[1]) for s in x])

def features(x):
    out = []
    for s in x:
        s = np.stack([cv2.resize(p, (128, 128), interpolation=cv2.INTER_AREA) for p in s]).astype(np.float32) / 255
        f = []
        for p in s:
            f += [p.mean(), p.std(), (p == 0).mean(), *np.percentile(p, [10, 50, 90]), np.abs(cv2.Laplacian(p, cv2.CV_32F)).mean()]
        out.append(f)
    return np.array(out)

def two_sample_auc(a, b, seed=0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.metrics import roc_auc_score
    X, y = np.concatenate([features(a), features(b)]), np.r_[np.ones(len(a)), np.zeros(len(b))]
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    p = cross_val_predict(clf, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=seed), method='predict_proba')[:, 1]
    return roc_auc_score(y, p)

def main(real=Path(__file__).resolve().parents[2]/'shared'/'data'/'hpa'/'real_sample'):
    from hpa_fastai.synth import make_synth
    from hpa_fastai.data import read_labels
    from hpa_fastai.cache import CODECS
    real = Path(real); rid = read_labels(real/'labels.csv').Id.tolist()
    syn = make_synth(Path(tempfile.mkdtemp())/'s', n=20, n_test=0, size=512, seed=0)
    sid = read_labels(syn/'train.csv').Id.tolist()
    xr, xs = load(real, rid), load(syn/'train', sid)
    enc = CODECS['lz4hc'][0](CODECS['lz4hc'][1])[0]
    print(f"{len(rid)} real samples ({real}) against {len(sid)} synthetic (make_synth, seed 0), 512 px")
    print(f"{'channel':8s} {'mean r/s':>15s} {'std r/s':>15s} {'zeros r/s':>15s} {'PNG KB r/s':>17s} {'re-encoded KB r/s':>19s}")
    for k, c in enumerate(CH):
        r, s = xr[:, k].astype(np.float64) / 255, xs[:, k].astype(np.float64) / 255
        print(f"{c:8s} {r.mean():7.3f}/{s.mean():<7.3f} {r.std():7.3f}/{s.std():<7.3f} {(r == 0).mean():7.3f}/{(s == 0).mean():<7.3f} "
              f"{png_bytes(real, rid, c) / 1e3:8.1f}/{png_bytes(syn/'train', sid, c) / 1e3:<8.1f} {reencoded(xr, k) / 1e3:9.1f}/{reencoded(xs, k) / 1e3:<9.1f}")
    br, bs = np.median([len(enc(s.tobytes())) for s in xr]), np.median([len(enc(s.tobytes())) for s in xs])
    print(f"lz4hc cache bytes per sample, median: real {br / 1e3:.0f} KB, synthetic {bs / 1e3:.0f} KB ({bs / br:.2f}x)")
    print(f"two-sample ROC AUC (logistic regression on 128 px features, 5-fold CV): {two_sample_auc(xr, xs):.3f}")

if __name__ == '__main__': main(*sys.argv[1:2])
