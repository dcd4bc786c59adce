"""Bad documents given to the extractor: ``coopgraph extract FILE -o OUT``, run for real (offline, ``--no-reference``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.cli import main
from coopgraph.records import load_record
from tests.extract.conftest import DOCUMENTS

from .catalogue import case

CTG = DOCUMENTS / "ctg-vezere-monedieres-2022.txt"


def extract(path: Path, out: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["extract", str(path), "-o", str(out), "--no-reference", *more])
    return code, capsys.readouterr().err


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> tuple[Path, str]:
    """Extract a file with this content: exit 2, and no draft (nor temporary file) written."""
    path = tmp_path / "document.txt"
    path.write_bytes(content)
    out = tmp_path / "drafts" / "draft.yaml"
    code, err = extract(path, out, capsys)
    assert code == 2
    assert not (tmp_path / "drafts").exists() or not any((tmp_path / "drafts").iterdir())
    return path, err


@case("doc-empty")
def test_empty_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, err = refused(tmp_path, capsys, b"")
    assert f"{path}: empty document: there is no text to read" in err


@case("doc-binary")
def test_binary_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, err = refused(tmp_path, capsys, bytes(range(256)) * 64)
    assert f"{path}: binary content (NUL or control bytes): not a plain-text document" in err


@case("doc-pdf")
def test_a_pdf_instead_of_its_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, err = refused(tmp_path, capsys, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert f"{path}: not a text document but a PDF file: extract its text first" in err


@case("doc-huge")
def test_a_50_mb_document_is_refused_on_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CTG.read_bytes()
    path, err = refused(tmp_path, capsys, text * (50_000_000 // len(text)) + b"x" * (50_000_000 % len(text)))
    assert f"{path}: file is 50000000 bytes; the limit for a document is 20000000" in err


@case("doc-no-parties")
def test_a_text_without_parties_gives_a_draft_that_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "compte-rendu.txt"
    path.write_text("Compte rendu de la réunion du comité technique\n\nLes participants ont échangé sur les besoins "
                    "de mobilité des jeunes.\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    code, err = extract(path, out, capsys)
    assert code == 0  # a draft for a person to review, saying what is missing
    assert f"{path}: missing: no party found" in err
    record, _ = load_record(out)
    assert record.status == "draft" and not record.actors and not record.instruments[0].parties
    assert any(n.startswith("MISSING: no party found") for n in record.notes)


@case("doc-mixed-encodings")
def test_mixed_encodings_are_read_line_by_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The convention in UTF-8, with a passage pasted from a Latin-1 file in the middle (lines 41-80).
    lines = CTG.read_text(encoding="utf-8").split("\n")
    latin = "\n".join(lines[40:80]).replace("’", "'").replace("…", "...").replace("œ", "oe")
    assert "é" in latin and "é" in "\n".join(lines[80:])
    raw = ("\n".join(lines[:40]) + "\n").encode("utf-8") + latin.encode("latin-1") + \
        ("\n" + "\n".join(lines[80:])).encode("utf-8")
    path = tmp_path / "mixed.txt"
    path.write_bytes(raw)
    out = tmp_path / "draft.yaml"
    code, err = extract(path, out, capsys)
    assert code == 0
    assert f"{path}: note: the file mixes encodings: line(s) " in err and "decoded as Windows-1252 (cp1252)" in err
    draft = out.read_text(encoding="utf-8")
    assert "Ã" not in draft  # no UTF-8 read as cp1252 (« signÃ©e »), as decoding the whole file as cp1252 gave
    record, _ = load_record(out)
    assert record.document.line_count == len(CTG.read_text(encoding="utf-8").splitlines())  # lines kept
    names = {a.label for a in record.actors}
    assert "Caisse d'allocations familiales de la Corrèze" in names  # read from the UTF-8 part


@case("doc-output-exists")
def test_an_existing_draft_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "draft.yaml"
    out.write_text("relu à la main\n", encoding="utf-8")
    before = out.stat()
    code, err = extract(CTG, out, capsys)
    assert code == 2
    assert f"{out}: already exists; give --force to replace it (nothing was written)" in err
    assert out.read_text(encoding="utf-8") == "relu à la main\n"
    assert (out.stat().st_mtime_ns, out.stat().st_ino) == (before.st_mtime_ns, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.yaml"]  # no temporary file left
