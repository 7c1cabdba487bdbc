#!/usr/bin/env python
"""Make README.md from nbs/index.ipynb without Quarto (nbconvert's markdown exporter).

    python tools/make_readme.py          # write README.md
    python tools/make_readme.py --check  # fail if README.md is out of date

Cells flagged `#| hide` are dropped and `#|` directive lines removed, as nbdev_readme would do. Relative links
and images in the notebook are written for a reader of `nbs/` (`02_eda.ipynb`, `images/x.png`, `../bench/...`);
the README, at the repository's root, gets them rebased (`nbs/02_eda.ipynb`, `nbs/images/x.png`, `bench/...`),
so they work from both places on GitHub."""
import sys, re, posixpath
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parent.parent
nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
cells = []
for c in nb.cells:
    lines = c.source.splitlines()
    if c.cell_type == 'code':
        if any(re.match(r'#\|\s*(hide|exec_doc|eval:\s*false\s*$)', l) and 'hide' in l for l in lines): continue
        c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if not c.source: continue
    cells.append(c)
nb.cells = cells
md, _ = MarkdownExporter().from_notebook_node(nb)
def rebase(m):
    "A relative link target seen from nbs/, as seen from the repository's root"
    url = m.group(2)
    if re.match(r'[a-z][a-z0-9+.-]*:|#|/', url): return m.group(0)
    return f"{m.group(1)}({posixpath.normpath('nbs/' + url)})"
md = re.sub(r'(\]\s?)\(([^)\s]+)\)', rebase, md)
md = re.sub(r'\n{3,}', '\n\n', md).strip() + '\n'
md = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: do not edit -->\n\n" + md
out = root/'README.md'
if '--check' in sys.argv:
    if not out.exists() or out.read_text() != md:
        sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
    print("README.md matches nbs/index.ipynb")
else:
    out.write_text(md); print(f"wrote {out}")
