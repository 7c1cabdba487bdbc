"""How far the synthetic images are from real ones (issue 20's figures): real next to synthetic, per channel.

Real: the 20 complete real competition samples in real_data/samples/train (512 px). Synthetic: `make_synth`
at 512 px, 40 training samples per seed. The figures are `hpa_fastai.realism.realism_figures` (per channel: pixel mean,
std and exact-zero fraction, median PNG KB of the files as written; per sample: median lz4hc KB, the cache's default),
compared by `compare_realism` (bounds: 20% for pixel statistics, 25% for bytes), and the two-sample ROC AUC of
`two_sample_auc` (a logistic regression on per-channel 128 px statistics, 5-fold CV; 0.5: indistinguishable).
The table is for the first seed; the AUC is given for every seed, since with 20 real samples it varies.

Run: python bench/measure_realism.py [SEEDS] [REAL_FOLDER]     (SEEDS like 0,1,2; default 0)
"""
import sys, tempfile
from pathlib import Path
import pandas as pd
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hpa_fastai.synth import make_synth
from hpa_fastai.realism import realism_figures, compare_realism, two_sample_auc, stack_samples

def main(seeds='0', real=Path(__file__).resolve().parents[1]/'real_data'/'samples'/'train'):
    real = Path(real); rid = pd.read_csv(real.parent/'train.csv', dtype=str).Id.tolist()
    xr, fr, aucs = stack_samples(real, rid), realism_figures(real, rid), []
    for k, seed in enumerate(int(s) for s in str(seeds).split(',')):
        syn = make_synth(Path(tempfile.mkdtemp())/'s', n=40, n_test=0, size=512, seed=seed)
        sid = pd.read_csv(syn/'train.csv', dtype=str).Id.tolist()
        t = compare_realism(fr, realism_figures(syn/'train', sid))
        if k == 0:
            print(f'{len(rid)} real samples ({real}) against {len(sid)} synthetic (make_synth, 512 px, seed {seed})')
            print(t.round(3).to_string())
        else: print(f'seed {seed}: every figure within its bound: {bool(t.ok.all())}; worst ratio {t.ratio.iloc[(t.ratio - 1).abs().argmax()]:.3f} ({t.index[(t.ratio - 1).abs().argmax()]})')
        aucs.append(two_sample_auc(xr, stack_samples(syn/'train', sid)))
        print(f'seed {seed}: two-sample ROC AUC {aucs[-1]:.3f}')
    if len(aucs) > 1: print(f'two-sample ROC AUC over {len(aucs)} seeds: mean {sum(aucs) / len(aucs):.3f}, min {min(aucs):.3f}, max {max(aucs):.3f}')

if __name__ == '__main__': main(*sys.argv[1:3])
