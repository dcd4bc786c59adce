"""The notebooks are stored without outputs, open with their question, end with what they found, and use only the
public API. (They are executed by nbmake in the same ``pytest`` run: testpaths includes notebooks/.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_explore.ipynb", "02_cross_territory.ipynb",
                                           "03_themes_and_roles.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stripped(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell keeps its outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell keeps its execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_question_first_findings_last(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first, last = "".join(cells[0]["source"]), "".join(cells[-1]["source"])
    assert cells[0]["cell_type"] == "markdown" and "**Question:" in first
    assert cells[-1]["cell_type"] == "markdown" and last.startswith("## What we found")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_public_api_only(path: Path) -> None:
    code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "code")
    for line in re.findall(r"^\s*(?:from|import) coopgraph\S*.*$", code, flags=re.M):
        assert re.match(r"\s*from coopgraph(\.store)? import [a-z]", line), line
    assert "coopgraph.analysis." not in code.replace("coopgraph.analysis.roles", "")
    assert not re.search(r"\._[a-z]", code.replace("__", "")), "private attribute used"
    urls = set(re.findall(r"https?://[^\s\"'<>]+", code))
    assert all(u.startswith(("https://w3id.org/coopgraph/", "http://127.0.0.1", "http://www.w3.org/")) for u in urls), urls
