#!/usr/bin/env python
"""Make README.md from nbs/index.ipynb without Quarto (nbconvert's markdown exporter).

    python tools/make_readme.py          # write README.md
    python tools/make_readme.py --check  # fail if README.md is out of date

Cells flagged `#| hide` are dropped and `#|` directive lines removed, as nbdev_readme would do."""
import sys, re
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
md = re.sub(r'\n{3,}', '\n\n', md).strip() + '\n'
md = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: do not edit -->\n\n" + md
out = root/'README.md'
if '--check' in sys.argv:
    if not out.exists() or out.read_text() != md:
        sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
    print("README.md matches nbs/index.ipynb")
else:
    out.write_text(md); print(f"wrote {out}")
