#!/usr/bin/env python
"""Draw the README's figure, `nbs/images/real_samples.png`: one real sample as its four stainings and as the RGB
composite, next to three more composites, each titled with its labels (from `real_data/samples`).

    python tools/index_figure.py"""
from pathlib import Path
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from hpa_fastai.core import LABELS, CHANNELS, parse_target
from hpa_fastai.data import read_labels, open_rgby, rgb_composite

root = Path(__file__).resolve().parent.parent
real = root/'real_data'/'samples'
df = read_labels(real/'train.csv').set_index('Id')
first, more = '1a24914e-bbc8-11e8-b2bc-ac1f6b6435d0', ['2b21c43e-bbab-11e8-b2ba-ac1f6b6435d0', '46bd9886-bbbe-11e8-b2ba-ac1f6b6435d0',
                                                     '4905e22a-bbc7-11e8-b2bc-ac1f6b6435d0']
fig, axs = plt.subplots(2, 4, figsize=(10, 5.6))
def title(i): return '\n'.join(LABELS[t] for t in parse_target(df.Target[i]))
x = open_rgby(real/'train', first, size=256)
for ax, c, p in zip(axs[0], CHANNELS, x): ax.imshow(p, cmap='gray'); ax.set_title(f"{c}: {dict(red='microtubules', green='protein', blue='nucleus', yellow='ER')[c]}", fontsize=10)
axs[1, 0].imshow(rgb_composite(x)); axs[1, 0].set_title(title(first), fontsize=10)
for ax, i in zip(axs[1, 1:], more): ax.imshow(rgb_composite(open_rgby(real/'train', i, size=256))); ax.set_title(title(i), fontsize=10)
for ax in axs.flat: ax.axis('off')
fig.tight_layout()
out = root/'nbs'/'images'/'real_samples.png'
fig.savefig(out, dpi=80, metadata={'Software': None}); print(f"wrote {out} ({out.stat().st_size//1000} KB)")
