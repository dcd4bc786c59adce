"""``coopgraph publish``: replaces each named graph on a real Oxigraph server; twice duplicates nothing; a failure
part-way says what was done and a second run completes the job.

The build published here is the seed build without its reference graph (a million triples take minutes through
Oxigraph server's transactional Graph Store; its own bulk loader is the way for that size): the mechanism is the
same for every graph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult
from coopgraph.cli import main
from coopgraph.store import EmbeddedStore, RemoteStore
from tests.servers import Server

REFERENCE = "https://w3id.org/coopgraph/graph/reference"


@pytest.fixture(scope="module")
def small_build(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder holding the seed build's graphs but the reference layer (TriG only, no store)."""
    assert seed_build.out is not None
    store = EmbeddedStore.for_build(seed_build.out).oxigraph
    quads = [q for g in store.named_graphs() if g.value != REFERENCE for q in store.quads_for_pattern(None, None, None, g)]
    out = tmp_path_factory.mktemp("small-build")
    (out / "coopgraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    return out


def counts(remote: RemoteStore) -> dict[str, int]:
    res = remote.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(g): int(n) for g, n in res.rows}


def expected_counts(build: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for q in ox.parse(path=str(build / "coopgraph.trig"), format=ox.RdfFormat.TRIG):
        found[q.graph_name.value] = found.get(q.graph_name.value, 0) + 1
    return found


def test_publish_twice_duplicates_nothing(capsys: pytest.CaptureFixture[str], small_build: Path,
                                          oxigraph_empty: Server) -> None:
    argv = ["publish", "--endpoint", oxigraph_empty.query, "--build", str(small_build)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("replaced <") == len(expected_counts(small_build)) == 6
    assert "published 6 graphs" in out
    remote = RemoteStore(oxigraph_empty.query)
    assert counts(remote) == expected_counts(small_build)
    assert main(argv) == 0
    assert counts(remote) == expected_counts(small_build)


def test_graphs_not_in_the_build_are_reported_or_pruned(capsys: pytest.CaptureFixture[str], small_build: Path,
                                                        oxigraph_empty: Server) -> None:
    remote = RemoteStore(oxigraph_empty.query)
    old = "https://w3id.org/coopgraph/graph/source/withdrawn-document"
    other = "https://example.org/someone-elses-graph"
    for g in (old, other):
        remote.replace_graph(g, b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    argv = ["publish", "--endpoint", oxigraph_empty.query, "--build", str(small_build)]
    assert main(argv) == 0
    assert f"<{old}> is on the store but not in this build" in capsys.readouterr().out
    assert main([*argv, "--prune"]) == 0
    assert f"deleted <{old}>" in capsys.readouterr().out
    graphs = {str(g) for g in remote.graphs()}
    assert old not in graphs and other in graphs  # only coopgraph's own graphs are ever deleted


def test_a_failure_part_way_is_reported_and_a_rerun_completes(capsys: pytest.CaptureFixture[str], small_build: Path,
                                                              oxigraph_empty: Server,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real = RemoteStore.replace_graph
    calls: list[str] = []

    def flaky(self: RemoteStore, name: str, data: bytes) -> int:
        calls.append(str(name))
        if len(calls) == 3:
            return real(RemoteStore("http://127.0.0.1:9/query", timeout=5), name, data)  # nobody listens there
        return real(self, name, data)

    monkeypatch.setattr(RemoteStore, "replace_graph", flaky)
    argv = ["publish", "--endpoint", oxigraph_empty.query, "--build", str(small_build)]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert out.count("replaced <") == 2
    assert f"failed on <{calls[2]}>" in err and "cannot reach" in err
    assert "done: <" in err and "not done: <" in err and "Run the same command again" in err
    monkeypatch.setattr(RemoteStore, "replace_graph", real)
    assert main(argv) == 0
    assert counts(RemoteStore(oxigraph_empty.query)) == expected_counts(small_build)


def test_bad_targets_exit_2(capsys: pytest.CaptureFixture[str], small_build: Path, tmp_path: Path) -> None:
    assert main(["publish", "--build", str(small_build)]) == 2
    assert "--endpoint" in capsys.readouterr().err
    assert main(["publish", "--endpoint", "http://127.0.0.1:9/query", "--build", str(small_build)]) == 2
    assert "not done" in capsys.readouterr().err
    assert main(["publish", "--endpoint", "http://127.0.0.1:9/query", "--build", str(tmp_path)]) == 2
    assert "not a build" in capsys.readouterr().err
    assert main(["publish", "--endpoint", "http://127.0.0.1:9/elsewhere", "--build", str(small_build)]) == 2
    assert "--graph-store" in capsys.readouterr().err
