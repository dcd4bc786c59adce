"""``coopgraph extract`` as users run it: drafts, summaries, evaluation, and bad input."""

from __future__ import annotations

import json

import pytest

from coopgraph.cli import main
from coopgraph.extract import extract_text, summary
from coopgraph.extract.actors import NoResolver
from coopgraph.extract.output import SUMMARY_KEYS
from coopgraph.records import load_record

from .conftest import DOCUMENTS

CTG = DOCUMENTS / "ctg-vezere-monedieres-2022.txt"


def test_summary_has_exactly_the_keys(capsys):
    assert main(["extract", str(CTG), "--summary", "--no-reference"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert tuple(data) == SUMMARY_KEYS
    party = data["parties"][0]
    assert set(party) == {"name", "kind", "ref", "representatives"}
    assert set(party["representatives"][0]) == {"name", "post"}
    assert set(data["actions"][0]) == {"id", "title", "lead", "co_carriers"}
    assert all(t.startswith("TH-") for t in data["themes"])


def test_draft_loads_and_keeps_lines_and_confidence(tmp_path):
    out = tmp_path / "draft.yaml"
    assert main(["extract", str(CTG), "-o", str(out), "--no-reference"]) == 0
    record, _ = load_record(out)
    assert record.status == "draft"
    inst = record.instruments[0]
    assert inst.kind == "ConventionTerritorialeGlobale"
    assert inst.period.start == "2022-01-01" and inst.period.end == "2026-12-31"
    assert inst.duration == "P5Y"
    assert all(a.lines and a.confidence is not None for a in inst.actions)
    assert all(a.lines and a.confidence is not None for a in record.actors)
    assert record.document.line_count == len(CTG.read_text(encoding="utf-8").splitlines())


def test_existing_draft_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    out.write_text("précieux\n", encoding="utf-8")
    assert main(["extract", str(CTG), "-o", str(out), "--no-reference"]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "précieux\n"
    assert main(["extract", str(CTG), "-o", str(out), "--force", "--no-reference"]) == 0
    assert load_record(out)[0].status == "draft"


def test_evaluate_command(capsys):
    assert main(["extract", "--evaluate", str(DOCUMENTS), "--no-reference", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] >= 6
    assert set(data["fields"]) >= {"parties", "representatives", "dates", "actions", "leads", "co-carriers", "kind"}


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"   \n\n  \n", "empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (bytes(range(256)) * 4, "binary"),
])
def test_bad_input_is_refused_clearly(tmp_path, capsys, content, words):
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    assert main(["extract", str(path), "--summary", "--no-reference"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words.lower() in err.lower()


def test_missing_file(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "nope.txt"), "--no-reference"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_french_code_pages_are_read_with_a_note(tmp_path, encoding, capsys):
    text = CTG.read_text(encoding="utf-8").replace("’", "'").replace("…", "...").replace("œ", "oe")
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    assert main(["extract", str(path), "--summary", "--no-reference"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "not UTF-8" in captured.err
    assert data["parties"][0]["name"] == "Caisse d'allocations familiales de la Corrèze"
    assert data["signature_date"] == "2022-03-14"


def test_no_party_gives_a_draft_that_says_so(tmp_path):
    text = ("Compte rendu de la réunion du comité technique\n\nLes participants ont échangé sur les besoins de "
            "mobilité des jeunes et sur la création d'un observatoire.\n\n- Créer un observatoire de la mobilité\n")
    ex = extract_text(text, resolver=NoResolver())
    s = summary(ex)
    assert s["parties"] == []
    assert any("no party" in m for m in ex.missing)
    out = tmp_path / "draft.yaml"
    from coopgraph.extract.output import record, write_record

    write_record(record(ex), out)
    rec, _ = load_record(out)
    assert any(n.startswith("MISSING: no party") for n in rec.notes)
    assert not rec.actors


def test_ten_pages_are_extracted():
    """Ten pages of convention text (the CTG document with its table repeated): every action found. How fast is
    measured by ``benchmarks/bench_extract.py``, not here."""
    base = CTG.read_text(encoding="utf-8")
    text = base + "\n" + "\n".join(base.split("\n")[40:120]) * 7
    assert len(text.splitlines()) > 450
    one = extract_text(base, resolver=NoResolver())
    ten = extract_text(text, resolver=NoResolver())
    assert len(summary(ten)["actions"]) >= len(summary(one)["actions"]) > 0


def test_a_title_with_nothing_to_slug_gives_a_draft(tmp_path):
    """Regression: a title in another script (nothing to slug) made the extractor fail with a traceback."""
    doc = tmp_path / "titre.txt"
    doc.write_text("中文标题\n\nConvention entre la commune de Lyon et la ville de Pékin.\n\nArticle 1 — Objet\n"
                   "Coopération culturelle.\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    assert main(["extract", str(doc), "-o", str(out), "--no-reference"]) == 0
    record, _ = load_record(out)
    assert record.document.title == "中文标题" and record.document.id
