"""Bad records, through ``coopgraph records check FILE…`` and ``coopgraph build --sources DIR --out DIR``.

Each test runs both commands for real (``coopgraph.cli.main``), on the real reference layer, with a complete earlier
build in ``--out``: the message names the file, line, column and field; the exit code is the documented one; and the
earlier build is byte for byte what it was (every file hashed before and after, nothing left beside it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph.cli import main

from . import support
from .catalogue import case
from .support import PreviousBuild

previous_build = support.previous_build  # the fixture

# A record that builds (0 violations) against the vendored reference layer. Line numbers below refer to it.
GOOD = """\
coopgraph: 1
document:
  id: convention-essai
  title: Convention d'essai
  kind: convention
  line_count: 40
actors:
  - id: asso-essai
    kind: Association
    label: Association d'essai
    lines: 3
instruments:
  - id: convention-essai
    kind: ConventionPartenariat
    title: Convention d'essai
    parties: [asso-essai, departement:42]
    period: {start: 2020-01-01, end: 2024-12-31, lines: "4-5"}
    perimeter: {id: essai, label: Essai, territories: ["commune:42218"], lines: 6}
"""


def changed(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@dataclass
class Outcome:
    paths: list[Path]
    check: int
    check_err: str
    build: int
    build_out: str
    build_err: str

    @property
    def path(self) -> str:
        return str(self.paths[-1])


def run(tmp_path: Path, previous: PreviousBuild, capsys: pytest.CaptureFixture[str],
        *records: str | bytes) -> Outcome:
    """Write the records (r0.yaml, r1.yaml…), check them, build them into the earlier build's folder."""
    folder = tmp_path / "sources"
    folder.mkdir()
    paths = []
    for i, text in enumerate(records):
        path = folder / f"r{i}.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        paths.append(path)
    capsys.readouterr()
    check = main(["records", "check", *map(str, paths)])
    check_err = capsys.readouterr().err
    build = main(["build", "--sources", str(folder), "--out", str(previous.out)])
    out, err = capsys.readouterr()
    previous.assert_untouched()
    return Outcome(paths, check, check_err, build, out, err)


def test_the_template_is_a_good_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["records", "check", str(path)]) == 0, capsys.readouterr().err


@case("rec-malformed-yaml")
def test_malformed_yaml(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, GOOD + "  - [unclosed\n")
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:20:1: malformed YAML: " in err and "did not find expected ',' or ']'" in err


@case("rec-wrong-type")
def test_wrong_type(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("lines: 3", "lines: trois"))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:11:12 [actors[0].lines]: " in err and "a line number, 'start-end' or [start, end]" in err


@case("rec-unknown-key")
def test_unknown_key(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("    lines: 3\n", "    lines: 3\n    colour: blue\n"))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:12:13 [actors[0].colour]: Extra inputs are not permitted" in err


@case("rec-unknown-actor")
def test_unknown_actor(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("[asso-essai, departement:42]", "[asso-essay, departement:42]"))
    assert (r.check, r.build) == (0, 2)
    assert f"{r.path}:16:15 [instruments[0].parties[0]]: unknown actor 'asso-essay'" in r.build_err
    assert "closest: asso-essai" in r.build_err


@case("rec-ambiguous-actor")
def test_ambiguous_actor(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    # May-sur-Orne merged into Saint-Martin-de-May, which kept its INSEE code under a new SIREN: the layer has both
    # legal persons for commune 14408 (2021 and 2026). The build used to pick one silently.
    r = run(tmp_path, previous_build, capsys, changed("departement:42]", "commune:14408]"))
    assert (r.check, r.build) == (0, 2)
    assert f"{r.path}:16:27 [instruments[0].parties[1]]: 'commune:14408' is ambiguous: 2 legal persons" in r.build_err
    assert "siren:211404082" in r.build_err and "siren:933801342" in r.build_err


@case("rec-siren-bad-luhn")
def test_siren_with_a_wrong_luhn_key(tmp_path: Path, previous_build: PreviousBuild,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("    lines: 3\n", '    siren: "200071554"\n    lines: 3\n'))
    assert (r.check, r.build) == (0, 1)
    assert "path: coop:siren" in r.build_out and "value: 200071554" in r.build_out
    assert "The check digit (Luhn) of this SIREN is wrong" in r.build_out
    assert f"source: {r.path}: Convention d'essai, lines 3-3" in r.build_out
    assert "1 violation(s); the previous build is untouched" in r.build_err


@case("rec-siren-ref-bad-luhn")
def test_siren_reference_with_a_wrong_luhn_key(tmp_path: Path, previous_build: PreviousBuild,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("departement:42]", "siren:200071554]"))
    assert (r.check, r.build) == (0, 2)
    assert f"{r.path}:16:27 [instruments[0].parties[1]]: 'siren:200071554' is not in the reference layer" \
        in r.build_err


@case("rec-insee-malformed")
def test_malformed_insee_code(tmp_path: Path, previous_build: PreviousBuild,
                              capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed('"commune:42218"', '"commune:4221"'))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:18:56 [instruments[0].perimeter.territories[0]]: String should match pattern" in err


@case("rec-insee-unknown")
def test_unknown_insee_code(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed('"commune:42218"', '"commune:42999"'))
    assert (r.check, r.build) == (0, 2)
    assert (f"{r.path}:18:56 [instruments[0].perimeter.territories[0]]: 'commune:42999' is not a territory of the "
            "reference layer") in r.build_err


@case("rec-start-after-end")
def test_start_after_end(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("start: 2020-01-01", "start: 2025-01-01"))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:17:13 [instruments[0].period]: " in err
        assert "the period starts (2025-01-01) after it ends (2024-12-31)" in err


@case("rec-duplicate-document-id")
def test_duplicate_document_id(tmp_path: Path, previous_build: PreviousBuild,
                               capsys: pytest.CaptureFixture[str]) -> None:
    other = changed("id: asso-essai", "id: asso-autre", changed("[asso-essai,", "[asso-autre,"))
    other = changed("  - id: convention-essai", "  - id: convention-autre", other)
    r = run(tmp_path, previous_build, capsys, GOOD, other)
    assert (r.check, r.build) == (0, 2)  # each file is a good record on its own
    assert f"{r.path}:3:7 [document.id]: document id 'convention-essai' is already used by {r.paths[0]}" in r.build_err


@case("rec-duplicate-actor-id")
def test_duplicate_actor_id(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    other = changed("id: convention-essai", "id: convention-autre", changed("id: convention-essai", "id: doc-autre"))
    r = run(tmp_path, previous_build, capsys, GOOD, other)
    assert (r.check, r.build) == (0, 2)
    assert f"{r.path}:8:9 [actors[0].id]: actor id 'asso-essai' is already declared in {r.paths[0]}" in r.build_err


@case("rec-duplicate-key")
def test_duplicate_key(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("  kind: convention\n", "  kind: convention\n  kind: brochure\n"))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:6:3 [kind]: duplicate key 'kind' (first at line 5)" in err


@case("rec-latin1")
def test_latin1(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, changed("Convention d'essai", "Convention d'été").encode("latin-1"))
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:4: not UTF-8 (byte 0xe9); save the record as UTF-8" in err


@case("rec-empty")
def test_empty_file(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys, "")
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}: empty record" in err


@case("rec-50mb")
def test_a_50_mb_record_is_refused_on_its_size(tmp_path: Path, previous_build: PreviousBuild,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # A good record and 50 MB of YAML comments: it would load if it were parsed, so only the size can refuse it.
    size = 50 * 1024 * 1024
    text = GOOD.encode() + (b"# " + b"x" * 97 + b"\n") * ((size - len(GOOD)) // 100)
    text += b"#" * (size - len(text))
    started = time.perf_counter()
    r = run(tmp_path, previous_build, capsys, text)
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}: record is 52428800 bytes; the limit is 2000000" in err
    assert time.perf_counter() - started < 10  # two commands and two fingerprints of the earlier build, no parsing


@case("rec-alias-bomb")
def test_alias_bomb(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    r = run(tmp_path, previous_build, capsys, "\n".join(lines) + "\n")  # 9**9 strings if it were expanded
    assert (r.check, r.build) == (2, 2)
    for err in (r.check_err, r.build_err):
        assert f"{r.path}:1:4: YAML anchors and aliases are not allowed in records" in err
    assert time.perf_counter() - started < 10


@case("rec-fails-shacl")
def test_a_record_whose_facts_fail_shacl(tmp_path: Path, previous_build: PreviousBuild,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    r = run(tmp_path, previous_build, capsys,
            changed("    parties: [asso-essai, departement:42]\n", "    parties: [asso-essai]\n    lines: 2\n"))
    assert (r.check, r.build) == (0, 1)
    assert "path: coop:partie" in r.build_out
    assert "A cooperation instrument binds at least two parties (coop:partie)." in r.build_out
    assert f"source: {r.path}: Convention d'essai, lines 2-2" in r.build_out
    assert "1 violation(s); the previous build is untouched" in r.build_err


@case("rec-no-folder")
def test_no_records_folder(tmp_path: Path, previous_build: PreviousBuild, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "absent"
    assert main(["build", "--sources", str(folder), "--out", str(previous_build.out)]) == 2
    assert f"{folder}: records folder does not exist" in capsys.readouterr().err
    previous_build.assert_untouched()
