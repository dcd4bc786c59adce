"""The records loader: strict YAML, the schema enforced, every error naming file, line, column and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopgraph.errors import InputError
from coopgraph.records import MAX_RECORD_BYTES, json_schema, load_record

MINIMAL = """\
coopgraph: 1
document:
  id: convention-test
  title: Convention de test
  kind: convention
actors:
  - id: partenaire-a
    kind: Association
    label: Association A
    lines: 3
instruments:
  - id: convention-test
    kind: ConventionPartenariat
    title: Convention de test
    parties: [partenaire-a, departement:42]
    period: {start: 2020-01-01, end: 2024-12-31, lines: "4-5"}
"""


def write(tmp_path: Path, text: str | bytes, name: str = "record.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_record_loads(tmp_path: Path) -> None:
    record, _ = load_record(write(tmp_path, MINIMAL))
    assert record.document.id == "convention-test"
    assert record.instruments[0].period is not None
    assert record.instruments[0].period.lines == (4, 5)
    assert record.actors[0].lines == (3, 3)


def error_of(tmp_path: Path, text: str | bytes) -> InputError:
    with pytest.raises(InputError) as info:
        load_record(write(tmp_path, text))
    return info.value


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        # unknown key
        (("    label: Association A\n", "    label: Association A\n    colour: blue\n"), 10, "actors[0].colour",
         "Extra inputs"),
        # wrong type
        (("    lines: 3\n", "    lines: trois\n"), 10, "actors[0].lines", "line number"),
        # start after end
        (("{start: 2020-01-01, end: 2024-12-31", "{start: 2025-01-01, end: 2024-12-31"), 16,
         "instruments[0].period", "starts"),
        # impossible date
        (("start: 2020-01-01", "start: 2020-02-30"), 16, "instruments[0].period.start", None),
        # a bad actor reference
        (("departement:42]", "departement:4200]"), 15, "instruments[0].parties[1]", "pattern"),
        # missing required field
        (("  title: Convention de test\n  kind: convention\n", "  kind: convention\n"), 2, "document.title",
         "required"),
        # reversed line range
        (('lines: "4-5"', 'lines: "5-4"'), 16, "instruments[0].period.lines", "start <= end"),
    ],
)
def test_schema_errors_name_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str, words: str | None
) -> None:
    old, new = change
    assert old in MINIMAL
    err = error_of(tmp_path, MINIMAL.replace(old, new, 1))
    assert err.file and err.file.endswith("record.yaml")
    assert err.field == field
    assert err.line == line
    if words:
        assert words in err.message
    assert str(err).startswith(err.file)


def test_malformed_yaml(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL + "  - [unclosed\n")
    assert "malformed YAML" in err.message and err.line is not None


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, MINIMAL.replace("  kind: convention\n", "  kind: convention\n  kind: brochure\n", 1))
    assert err.field == "kind" and "duplicate key" in err.message and err.line == 6


def test_alias_bombs_are_refused_before_expansion(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"
    err = error_of(tmp_path, bomb)
    assert "aliases" in err.message and err.line == 1


def test_latin1_is_refused_with_its_line(tmp_path: Path) -> None:
    text = MINIMAL.replace("Association A", "Association \xe9t\xe9").encode("latin-1")
    err = error_of(tmp_path, text)
    assert "not UTF-8" in err.message and err.line == 9


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert "empty" in error_of(tmp_path, text).message


def test_a_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(MAX_RECORD_BYTES + 1)
    with pytest.raises(InputError, match="limit"):
        load_record(path)


def test_a_list_is_not_a_record(tmp_path: Path) -> None:
    assert "mapping" in error_of(tmp_path, "- a\n- b\n").message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such record"):
        load_record(tmp_path / "absent.yaml")


def test_the_schema_is_json_schema() -> None:
    schema = json_schema()
    assert schema["title"] == "Record"
    assert "document" in schema["required"]
    json.dumps(schema)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_either_loads_or_fails_with_an_input_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "r.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_record(path)
    except InputError as err:
        assert err.file == str(path)


def test_records_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from coopgraph.cli import main

    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, MINIMAL.replace("kind: convention", "kind: [convention"), "bad.yaml")
    assert main(["records", "check", str(good)]) == 0
    assert "1 instrument(s)" in capsys.readouterr().out
    assert main(["records", "check", str(good), str(bad)]) == 2
    assert "bad.yaml:" in capsys.readouterr().err


def test_records_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    from coopgraph.cli import main

    assert main(["records", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Record"
