"""`coopgraph validate`: exit codes 0/1/2, the three report formats, the two languages, and the README example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from coopgraph.cli import main
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "ctg.ttl"


def test_readme_shows_the_example_and_it_is_the_validated_file() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```turtle\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no Turtle example"
    shown = Graph().parse(data=blocks[0], format="turtle")
    assert isomorphic(shown, Graph().parse(EXAMPLE, format="turtle"))


def test_readme_has_one_mermaid_class_diagram() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count("```mermaid\nclassDiagram") == 1


def test_the_example_ctg_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(EXAMPLE), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is True and report["violations"] == 0


def _without_caf_signature(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace("coop:signature sig:caf-president ;", "")
    bad = tmp_path / "ctg-unsigned.ttl"
    bad.write_text(text, encoding="utf-8")
    return bad


def test_a_ctg_without_a_caf_signature_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(_without_caf_signature(tmp_path)), "--format", "json", "--lang", "en"]) == 1
    report = json.loads(capsys.readouterr().out)
    results = [r for r in report["results"] if r["severity"] == "Violation"]
    assert any(
        r["focus"].endswith("/instrument/ctg-loire-layon-aubance-2020-2024")
        and r["component"] == "sh:QualifiedMinCountConstraintComponent"
        for r in results
    ), results
    assert all(r["messages"].keys() >= {"fr", "en"} for r in results)


def test_text_report_names_the_focus_label_and_the_source_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(_without_caf_signature(tmp_path)), "--lang", "fr"]) == 1
    out = capsys.readouterr().out
    assert "CTG Loire Layon Aubance 2020-2024" in out
    assert "lines 1-34" in out
    assert "violation(s)" in out


def test_turtle_report_is_rdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(_without_caf_signature(tmp_path)), "--format", "turtle"]) == 1
    graph = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert len(graph) > 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.ttl", "<a> <b> .\n", "broken.ttl:1:"),
        ("broken.nt", "<http://a> <http://b> <http://c>\n", "broken.nt:"),
        ("data.csv", "a,b\n", "unknown RDF file extension"),
        ("missing.ttl", None, "no such file"),
    ],
)
def test_unreadable_input_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_jsonld_with_a_remote_context_is_refused_without_fetching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://a", "name": "x"}', encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "remote.jsonld" in capsys.readouterr().err
