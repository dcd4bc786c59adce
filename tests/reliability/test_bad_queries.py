"""Bad queries and parameters: ``coopgraph query NAME|FILE --param …`` on the seed build's embedded store, and the
library underneath (:mod:`coopgraph.queries`, :mod:`coopgraph.store`, :mod:`coopgraph.sparql`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from coopgraph.build import BuildResult
from coopgraph.cli import main
from coopgraph.errors import InputError
from coopgraph.queries import resolve
from coopgraph.store import BindingError, EmbeddedStore
from tests.conftest import REPO

from .catalogue import case
from .support import fingerprint

HEADER = (
    "#+ title: a test query\n#+ question.fr: une question ?\n#+ question.en: a question?\n"
    "#+ returns.fr: une ligne par chose\n#+ returns.en: one row per thing\n"
)
# Streams rows now and then (so the engine sees it was stopped) but would take minutes: a million triples squared.
SLOW = "SELECT ?s WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 . FILTER(STRLEN(STR(?o)) + STRLEN(STR(?o2)) = 3) }\n"


@pytest.fixture(scope="module")
def build(seed_build: BuildResult) -> str:
    assert seed_build.out is not None
    return str(seed_build.out)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rq(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@case("qry-syntax-error")
def test_syntax_error_names_file_line_and_column(capsys: pytest.CaptureFixture[str], build: str,
                                                 tmp_path: Path) -> None:
    path = rq(tmp_path, "broken.rq", HEADER + "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s ?p\n}\n")
    code, out, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2 and out == ""
    assert f"{path}:9:1: SPARQL syntax error: " in err  # line 9 of the file: the header counts


@case("qry-update-in-file")
def test_an_update_in_a_query_file_is_not_run(capsys: pytest.CaptureFixture[str], build: str, tmp_path: Path) -> None:
    path = rq(tmp_path, "delete.rq", HEADER + "DELETE WHERE { ?s ?p ?o }\n")
    code, _, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2
    assert (f"{path}:6:1: expected a query (SELECT, CONSTRUCT, DESCRIBE or ASK), found 'DELETE'; updates are not "
            "run here") in err


@case("qry-unknown-param")
def test_unknown_parameter(capsys: pytest.CaptureFixture[str], build: str) -> None:
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "--param", "epic=1")
    assert code == 2
    assert "epci-communes.rq [epic]: unknown parameter 'epic' for query epci-communes (its parameters: " in err
    with pytest.raises(InputError, match="unknown parameter 'epic'"):
        resolve("epci-communes").bindings({"epic": "1"})


@case("qry-missing-param")
def test_missing_parameter(capsys: pytest.CaptureFixture[str], build: str, tmp_path: Path) -> None:
    path = rq(tmp_path, "partners.rq", HEADER + "#+ param: actor iri -- the actor\n"
              "SELECT ?actor ?p WHERE { ?actor ?p ?o }\n")
    code, _, err = run(capsys, "query", str(path), "--build", build)
    assert code == 2
    assert f"{path} [actor]: query partners needs the parameter actor (iri): --param actor=VALUE" in err
    with pytest.raises(InputError, match="needs the parameter actor"):
        resolve(str(path)).bindings({})


@case("qry-ill-typed-param")
def test_ill_typed_parameter(capsys: pytest.CaptureFixture[str], build: str) -> None:
    code, _, err = run(capsys, "query", "epci-communes", "--build", build, "-p", "millesime=deux-mille")
    assert code == 2
    assert ("[millesime]: parameter millesime: 'deux-mille' is not a valid gYear (a year such as 2021 expected)"
            in err)


def injection(capsys: pytest.CaptureFixture[str], build: str, hostile: str) -> None:
    """A hostile parameter value: one literal when the parameter is a string, refused when it is an IRI; the
    build's store is the same before and after, and so is a writable store the library binds it in."""
    store_dir = Path(build) / "store"
    before = fingerprint(store_dir)
    with EmbeddedStore.for_build(build) as store:
        quads = len(store)

    code, out, err = run(capsys, "query", "find-actors", "--build", build, "-p", f"text={hostile}", "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == ["text,actor,name,class,siren"]  # no row: no name contains that text
    code, out, err = run(capsys, "query", "actor-partners", "--build", build, "-p", f"actor={hostile}")
    assert code == 2 and out == ""
    assert "[actor]: parameter actor: " in err and "is not a valid iri" in err

    # The library: the value comes back as the one literal it is; as an IRI it is refused.
    with EmbeddedStore(None, read_only=False) as mem:
        mem.oxigraph.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 'a' }")
        result = mem.select("SELECT ?x ?s WHERE { ?s ?p ?o }", {"x": hostile})
        assert result.rows == [(Literal(hostile), URIRef("http://example.org/a"))]
        with pytest.raises(BindingError):
            mem.select("SELECT ?x WHERE { ?s ?p ?o }", {"x": URIRef(hostile)})
        assert len(mem) == 1

    with EmbeddedStore.for_build(build) as store:
        assert len(store) == quads
    assert fingerprint(store_dir) == before


@case("qry-inject-drop-all")
def test_injection_drop_all(capsys: pytest.CaptureFixture[str], build: str) -> None:
    injection(capsys, build, '"> } ; DROP ALL #')


@case("qry-inject-or-true")
def test_injection_or_true(capsys: pytest.CaptureFixture[str], build: str) -> None:
    injection(capsys, build, '" || true || "')


@case("qry-inject-newline-brace")
def test_injection_newline_and_brace(capsys: pytest.CaptureFixture[str], build: str) -> None:
    injection(capsys, build, "Loire'\"\n} } ;\nDROP ALL ;\nINSERT DATA { <a:b> <a:c> <a:d> } #\n")


@case("qry-timeout")
def test_a_query_that_would_run_for_minutes_is_stopped(build: str, tmp_path: Path) -> None:
    # In subprocesses (the command, and the library): Oxigraph cannot cancel a query, so a stopped one may go on in a
    # thread until its process ends. Both run at once.
    path = rq(tmp_path, "slow.rq", HEADER + SLOW)
    library = textwrap.dedent(f"""
        import time
        from coopgraph.store import EmbeddedStore, QueryTimeout
        store = EmbeddedStore.for_build({build!r})
        started = time.perf_counter()
        try:
            store.query({SLOW!r}, timeout=0.5)
        except QueryTimeout as exc:
            print(f"{{time.perf_counter() - started:.1f}} {{exc}}")
    """)
    started = time.perf_counter()
    command = subprocess.Popen([sys.executable, "-m", "coopgraph", "query", str(path), "--timeout", "1", "--build",
                                build], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    in_library = subprocess.Popen([sys.executable, "-c", library], cwd=REPO, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
    out, err = command.communicate(timeout=60)
    assert time.perf_counter() - started < 30
    assert command.returncode == 2 and out == ""
    assert "the query ran longer than 1 s and was stopped; narrow it or add a LIMIT" in err

    out, err = in_library.communicate(timeout=60)
    assert in_library.returncode == 0, err
    seconds, _, message = out.partition(" ")
    assert message.startswith("the query ran longer than 0.5 s and was stopped")
    assert float(seconds) < 5
