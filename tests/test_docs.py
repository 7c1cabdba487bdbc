"""The documentation a reader meets first: the README's and the notebooks' relative links resolve (from the
repository's root and from nbs/), and the dev install runs notebooks in Jupyter (a kernel for nbconvert)."""
import json, re, subprocess, sys
from pathlib import Path
import pytest
from clitools import BIN

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r'\]\s?\(([^)\s]+)\)')

def relative_links(text):
    return [u.split('#')[0] for u in LINK.findall(text) if not re.match(r'[a-z][a-z0-9+.-]*:|#|/', u)]

def test_readme_links_resolve():
    links = relative_links((ROOT/'README.md').read_text())
    assert len(links) > 20, links  # the notebooks' table, the figures, bench
    assert [u for u in links if not (ROOT/u).exists()] == []

@pytest.mark.parametrize('nb', sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb')))
def test_notebook_links_resolve(nb):
    cells = json.loads((ROOT/'nbs'/nb).read_text())['cells']
    links = [u for c in cells if c['cell_type'] == 'markdown' for u in relative_links(''.join(c['source']))]
    assert [u for u in links if not (ROOT/'nbs'/u).exists()] == []

def test_nbconvert_executes_a_notebook(tmp_path):
    "`jupyter nbconvert --execute` finds a python3 kernel in the dev install and runs the library in it"
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a1", "metadata": {}, "outputs": [],
                     "source": "from hpa_fastai.core import LABELS\nprint(len(LABELS), LABELS[0])"}],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path/'t.ipynb').write_text(json.dumps(nb))
    r = subprocess.run([str(BIN/'jupyter'), 'nbconvert', '--to', 'notebook', '--execute', '--output', 'out.ipynb', 't.ipynb'],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads((tmp_path/'out.ipynb').read_text())['cells'][0]['outputs']
    assert ''.join(out[0]['text']) == '28 Nucleoplasm\n'
