"""``coopgraph query``: names and files, typed parameters, formats, clear errors (exit 2), injection attempts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult
from coopgraph.cli import main
from tests.servers import Server

HEADER = (
    "#+ title: test query\n#+ question.fr: une question ?\n#+ question.en: a question?\n"
    "#+ returns.fr: une ligne par chose\n#+ returns.en: one row per thing\n"
)


@pytest.fixture(scope="module")
def build(seed_build: BuildResult) -> str:
    assert seed_build.out is not None
    return str(seed_build.out)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_by_name_as_a_table(capsys: pytest.CaptureFixture[str], build: str) -> None:
    code, out, _ = run(capsys, "query", "epci-communes", "--build", build)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["epci", "millesime", "member"]
    assert "id:acteur/siren/200071553" in out and "Bellevigne-en-Layon" in out
    assert lines[-1] == "(19 rows)"


def test_typed_parameters_and_formats(capsys: pytest.CaptureFixture[str], build: str) -> None:
    code, out, _ = run(capsys, "query", "epci-communes", "--build", build, "--param", "millesime=2021",
                       "-p", "epci=https://w3id.org/coopgraph/id/acteur/siren/200071553", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["millesime"] for r in rows} == {"2021"}
    code, out, _ = run(capsys, "query", "instruments-in-force", "--build", build, "-p", "date=2023-05-01",
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {b["date"]["value"] for b in doc["results"]["bindings"]} == {"2023-05-01"}
    code, out, _ = run(capsys, "query", "signatures", "--build", build, "--format", "tsv")
    assert code == 0
    assert len(list(ox.parse_query_results(out, ox.QueryResultsFormat.TSV))) == 6


def test_a_file_and_a_construct(capsys: pytest.CaptureFixture[str], build: str, tmp_path: Path) -> None:
    path = tmp_path / "parties.rq"
    path.write_text(HEADER + "#+ param: instrument iri = https://w3id.org/coopgraph/id/instrument/"
                    "entente-loire-haute-loire -- the instrument\n"
                    "PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
                    "CONSTRUCT { ?instrument coop:partie ?p } WHERE { ?instrument coop:partie ?p }\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "query", str(path), "--build", build)
    assert code == 0
    assert len(list(ox.parse(out, format=ox.RdfFormat.TURTLE))) == 2
    code, out, _ = run(capsys, "query", str(path), "--build", build, "--format", "json")
    assert code == 0 and json.loads(out)
    code, _, err = run(capsys, "query", str(path), "--build", build, "--format", "csv")
    assert code == 2 and "turtle or json" in err


def test_unknown_query_and_parameters(capsys: pytest.CaptureFixture[str], build: str) -> None:
    code, _, err = run(capsys, "query", "epci-comunes", "--build", build)
    assert code == 2 and "no query named 'epci-comunes'" in err
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "-p", "epic=1")
    assert code == 2 and "unknown parameter 'epic'" in err and "millesime" in err
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "-p", "millesime=deux-mille")
    assert code == 2 and "not a valid gYear" in err
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "-p", "millesime")
    assert code == 2 and "NAME=VALUE" in err
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "--format", "turtle")
    assert code == 2 and "CONSTRUCT" in err


def test_syntax_errors_give_file_line_and_column(capsys: pytest.CaptureFixture[str], build: str,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(HEADER + "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s ?p\n}\n", encoding="utf-8")
    code, _, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2
    assert f"{path}:9:" in err and "syntax error" in err  # lines count from the top of the file
    path.write_text(HEADER + "DELETE WHERE { ?s ?p ?o }\n", encoding="utf-8")
    code, _, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2 and "updates are not run" in err
    path.write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    code, _, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2 and "header lacks" in err


@pytest.mark.parametrize("hostile", ['"> } ; DROP ALL #', '" || true || "', "Loire\" } UNION { ?actor ?p ?name"])
def test_injection_attempts_are_bound_as_literals(capsys: pytest.CaptureFixture[str], build: str,
                                                  hostile: str) -> None:
    code, out, _ = run(capsys, "query", "find-actors", "--build", build, "-p", f"text={hostile}", "-f", "csv")
    assert code == 0
    assert out.splitlines() == ["text,actor,name,class,siren"]  # no row, and nothing else happened
    code, out, _ = run(capsys, "query", "find-actors", "--build", build, "-f", "csv")
    assert len(out.splitlines()) > 1
    code, _, err = run(capsys, "query", "actor-partners", "--build", build, "-p", f"actor={hostile}")
    assert code == 2 and "not a valid iri" in err


def test_missing_build_and_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "query", "epci-communes", "--build", str(tmp_path / "none"))
    assert code == 2 and "coopgraph build" in err
    code, out, _ = run(capsys, "query", "--list")
    assert code == 0 and "epci-communes-moved" in out and "--param from=<gYear> = 2021" in out
    code, _, err = run(capsys, "query")
    assert code == 2


def test_on_a_remote_endpoint(capsys: pytest.CaptureFixture[str], build: str, oxigraph_seed: Server) -> None:
    code, remote, _ = run(capsys, "query", "actor-partners", "--endpoint", oxigraph_seed.query, "-f", "csv")
    assert code == 0
    code, local, _ = run(capsys, "query", "actor-partners", "--build", build, "-f", "csv")
    assert sorted(remote.splitlines()[1:]) != [] and len(remote.splitlines()) == len(local.splitlines())
    code, _, err = run(capsys, "query", "actor-partners", "--endpoint", "http://127.0.0.1:9/query")
    assert code == 2 and "cannot reach" in err
