"""Faults: real processes (coopgraph build, publish and serve; Oxigraph server; a writer of the embedded store) killed
with SIGKILL at chosen moments, then what they leave behind is used. No mocks.

Kill moments are drawn with a fixed seed, and the late ones are aimed by watching the build's folders (its temporary
folder, its store, the previous build moved aside for the swap) rather than by hooks in the product.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import BuildResult, cache_dir, recover
from coopgraph.paths import data_path
from coopgraph.store import EmbeddedStore, RemoteStore
from tests.conftest import REPO
from tests.servers import free_port, oxigraph_exe

COOPGRAPH = [sys.executable, "-m", "coopgraph"]
REFERENCE = "https://w3id.org/coopgraph/graph/reference"
BUILD_FILES = {"context.jsonld", "coopgraph.jsonld", "coopgraph.nt.gz", "coopgraph.trig", "coopgraph.ttl",
               "report.json", "report.txt", "summary.json", "void.ttl", "store"}
DUMPS = sorted(BUILD_FILES - {"store"})
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _env() -> dict[str, str]:
    # The reference layer's loaded store is cached: every build of this file (and the session's seed build) shares
    # the one cache, so a build takes seconds, not a reload of a million triples.
    return dict(os.environ, COOPGRAPH_CACHE=str(cache_dir()), PYTHONUNBUFFERED="1")


def _sigkill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen | None, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process ended ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.005)


def _get(url: str, timeout: float = 30, accept: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return _get(url, timeout=2)[0] == 200
        except OSError:
            return False

    return check


@pytest.fixture(scope="module")
def build_copy(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's seed build that these tests may break (the dumps hard-linked: nothing rewrites them)."""
    assert seed_build.out is not None
    out = tmp_path_factory.mktemp("faults") / "build"
    shutil.copytree(seed_build.out, out, ignore=shutil.ignore_patterns("store"), copy_function=os.link)
    shutil.copytree(Path(seed_build.out) / "store", out / "store")
    return out


def _per_graph(store: EmbeddedStore) -> dict[str, int]:
    return {str(g): int(n) for g, n in store.select(PER_GRAPH).rows}


def _digests(build: Path) -> dict[str, str]:
    out = {}
    for name in DUMPS:
        with open(build / name, "rb") as fh:
            out[name] = hashlib.file_digest(fh, "sha256").hexdigest()
    return out


# ----------------------------------------------------------------------------------------------------------------
# 1. A build killed at any point leaves the previous build usable
# ----------------------------------------------------------------------------------------------------------------


def _ended_pid() -> int:
    """The pid of a process that has ended (as a killed build's has)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _check_build(out: Path) -> dict:
    """``out`` holds one complete build: every file, a summary whose per-graph counts the store (opened and
    queried) gives back exactly. Returns the summary."""
    assert {p.name for p in out.iterdir()} == BUILD_FILES
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with EmbeddedStore.for_build(out) as store:
        assert _per_graph(store) == summary["graphs"]
        assert store.ask("ASK { ?a a <https://w3id.org/coopgraph/ontology#Action> }")
    return summary


def test_a_build_killed_at_any_point_leaves_a_usable_build(build_copy: Path, tmp_path: Path) -> None:
    rng = random.Random(20251123)
    out = tmp_path / "out"
    shutil.copytree(build_copy, out, ignore=shutil.ignore_patterns("store"), copy_function=os.link)
    shutil.copytree(build_copy / "store", out / "store")
    before = _check_build(out)
    before_digests = _digests(build_copy)
    with gzip.open(build_copy / "coopgraph.nt.gz", "rb") as fh:
        assert sum(1 for _ in ox.parse(fh, format=ox.RdfFormat.N_TRIPLES)) == before["triples"]

    # The killed builds build other records (one left out), so an `out` holding a mix of the two would show.
    sources = tmp_path / "sources"
    sources.mkdir()
    records = sorted(data_path("graph/sources").glob("*.yaml"))
    for path in records[1:]:
        shutil.copy(path, sources / path.name)
    new_sources = [p.name for p in records[1:]]

    def tmp_of(proc: subprocess.Popen) -> Path:
        return out.parent / f".{out.name}.tmp-{proc.pid}"

    def deleting_of(proc: subprocess.Popen) -> Path:  # the previous build, renamed once the new one is in place
        return out.parent / f".{out.name}.tmp-old-{proc.pid}"

    # (what the kill interrupts, when it is due: a condition to wait for, then a delay drawn with the seed)
    kills: list[tuple[str, Callable[[subprocess.Popen], Callable[[], bool]], float]] = [
        ("reading the records and the reference layer", lambda p: lambda: True, rng.uniform(0.3, 3.0)),
        ("writing the dumps", lambda p: tmp_of(p).exists, rng.uniform(0.0, 3.0)),
        ("writing the embedded store", lambda p: (tmp_of(p) / "store").exists, rng.uniform(0.0, 0.4)),
        ("the swap (the new build in place, the previous one being deleted)", lambda p: deleting_of(p).exists, 0.0),
    ]
    seen_new = False
    for what, due, delay in kills:
        # A build faster than the drawn delay ends before the kill: it is checked like any other (a whole build in
        # place), then the same moment is tried again with half the delay, until a kill lands.
        for _attempt in range(8):
            proc = subprocess.Popen([*COOPGRAPH, "build", "--sources", str(sources), "--out", str(out)],
                                    cwd=tmp_path, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                _wait_for(due(proc), proc, 120, what)
                time.sleep(delay)
            finally:
                _sigkill(proc)
            if proc.returncode == -signal.SIGKILL:
                break
            assert proc.returncode == 0, proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            _check_build(out)
            delay /= 2
        assert proc.returncode == -signal.SIGKILL, f"every build ended before it was killed ({what})"
        summary = _check_build(out)
        if summary["sources"] == before["sources"]:  # the previous build, byte for byte
            assert summary == before and _digests(out) == before_digests, what
        else:  # the new one, whole
            assert summary["sources"] == new_sources, what
            with gzip.open(out / "coopgraph.nt.gz", "rb") as fh:
                assert sum(1 for _ in ox.parse(fh, format=ox.RdfFormat.N_TRIPLES)) == summary["triples"]
            ox.parse(path=str(out / "coopgraph.trig"), format=ox.RdfFormat.TRIG)
            seen_new = True
    assert seen_new, "no kill came after the swap: the late kill missed its moment"

    # Killed builds leave their temporary folders (killed while deleting the previous build, that one too).
    strays = lambda: sorted(p.name for p in out.parent.glob(f".{out.name}.*"))  # noqa: E731
    assert strays(), "the kills left nothing beside the build: the test did not kill where it meant to"

    # The two renames of the swap take microseconds: no timed kill falls between them. What such a kill leaves (the
    # previous build moved aside, no build in place) is made by hand here: recover(), which every build runs before
    # writing, puts it back, and removes what the killed builds left.
    aside = out.parent / f".{out.name}.old-{_ended_pid()}"
    os.replace(out, aside)
    recover(out)
    assert _check_build(out)["sources"] == new_sources
    assert strays() == []

    # A build after all that succeeds.
    done = subprocess.run([*COOPGRAPH, "build", "--out", str(out)], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _check_build(out) == before
    assert _digests(out) == before_digests  # builds are deterministic: the seed records again, the same bytes
    assert strays() == []  # the previous build (the new one) deleted, nothing left beside


# ----------------------------------------------------------------------------------------------------------------
# 2. publish to an Oxigraph server killed part-way
# ----------------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _oxigraph(location: Path, port: int, log: Path, *, read_only: bool = False) -> Iterator[subprocess.Popen]:
    mode = "serve-read-only" if read_only else "serve"
    with open(log, "ab") as fh:
        proc = subprocess.Popen([oxigraph_exe(), mode, "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                 "--union-default-graph"], stdout=fh, stderr=subprocess.STDOUT)
    try:
        _wait_for(_answers(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"), proc, 60, "Oxigraph server up")
        yield proc
    finally:
        if proc.poll() is None:
            _sigkill(proc)


@pytest.fixture(scope="module")
def publish_build(build_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed build's graphs with the reference graph cut to 40,000 triples (the whole layer takes minutes through
    a Graph Store PUT): still the largest graph by far, so publish sends it last and for a few seconds."""
    with EmbeddedStore.for_build(build_copy) as store:
        quads = [q for g in store.oxigraph.named_graphs() if g.value != REFERENCE
                 for q in store.oxigraph.quads_for_pattern(None, None, None, g)]
    reference = (data_path("graph/reference") / "reference.nt.gz").read_bytes()
    lines = b"".join(gzip.decompress(reference).splitlines(keepends=True)[:40_000])
    quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(REFERENCE))
              for t in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)]
    out = tmp_path_factory.mktemp("publish-build")
    (out / "coopgraph.trig").write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG))
    return out


def test_publish_to_a_server_killed_part_way_reports_and_a_rerun_completes(publish_build: Path,
                                                                           tmp_path: Path) -> None:
    expected: dict[str, int] = {}
    for q in ox.parse(path=str(publish_build / "coopgraph.trig"), format=ox.RdfFormat.TRIG):
        expected[q.graph_name.value] = expected.get(q.graph_name.value, 0) + 1
    small = sorted(g for g in expected if g != REFERENCE)
    data, port, log = tmp_path / "data", free_port(), tmp_path / "oxigraph.log"
    endpoint = f"http://127.0.0.1:{port}/query"
    command = [*COOPGRAPH, "publish", "--endpoint", endpoint, "--build", str(publish_build), "--timeout", "60"]

    with _oxigraph(data, port, log) as server:
        publish = subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        replaced = []
        assert publish.stdout is not None
        for line in publish.stdout:  # small graphs first: the reference graph goes last
            if line.startswith("replaced <"):
                replaced.append(line.split("<", 1)[1].split(">", 1)[0])
            if len(replaced) == len(small):
                break
        time.sleep(random.Random(7).uniform(0.3, 1.0))  # into the reference graph's upload (seconds long)
        assert publish.poll() is None, "publish ended before the server was killed"
        _sigkill(server)
        out, err = publish.communicate(timeout=120)
    assert publish.returncode == 1, (out, err)
    assert sorted(replaced) == small
    assert f"failed on <{REFERENCE}>" in err and "Run the same command again" in err
    summary = next(line for line in err.splitlines() if line.startswith("coopgraph publish: done: "))
    done, _, pending = summary.partition("; not done: ")
    assert all(f"<{g}>" in done for g in small) and f"<{REFERENCE}>" not in done, err
    assert pending.startswith(f"<{REFERENCE}>"), err

    with _oxigraph(data, port, log):  # the same data folder, after a crash
        rerun = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        assert f"published {len(expected)} graphs" in rerun.stdout
        remote = RemoteStore(endpoint, timeout=60)
        assert {str(g): int(n) for g, n in remote.select(PER_GRAPH).rows} == expected
        total = remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]
        assert int(total) == sum(expected.values())  # nothing in the default graph, nothing twice


# ----------------------------------------------------------------------------------------------------------------
# 3. The embedded store opens again after a crash; `coopgraph serve` killed and restarted serves again
# ----------------------------------------------------------------------------------------------------------------

_WRITER = """
import sys, pyoxigraph as ox
store = ox.Store(sys.argv[1])
g, p = ox.NamedNode("urn:x-crash:graph"), ox.NamedNode("urn:x-crash:p")
if sys.argv[2] == "extend":  # transactions of 2,000 quads, one after the other
    for i in range(10**9):
        store.extend([ox.Quad(ox.NamedNode(f"urn:x-crash:s{i}"), p, ox.Literal(str(j)), g) for j in range(2000)])
        if i == 3:
            print("writing", flush=True)
else:  # the bulk loader (what a build uses; not atomic)
    data = open(sys.argv[3], "rb").read()
    print("writing", flush=True)
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=g)
print("done", flush=True)
"""


@pytest.mark.parametrize("how", ["extend", "bulk_load"])
def test_the_embedded_store_opens_after_a_writer_is_killed(build_copy: Path, tmp_path: Path, how: str) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(build_copy / "store", store_dir)
    with EmbeddedStore(store_dir) as before:
        counts = _per_graph(before)
    nt = tmp_path / "data.nt"
    if how == "bulk_load":  # a million triples: loading takes seconds
        nt.write_bytes(gzip.decompress((data_path("graph/reference") / "reference.nt.gz").read_bytes()))
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(store_dir), how, str(nt)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        time.sleep(random.Random(how).uniform(0.1, 0.6))
    finally:
        _sigkill(writer)
    assert writer.returncode == -signal.SIGKILL, writer.stderr.read() if writer.stderr else ""

    with EmbeddedStore(store_dir) as after:  # read-only, as coopgraph opens a build's store
        found = _per_graph(after)
        crash = found.pop("urn:x-crash:graph", 0)
        assert found == counts  # the build's graphs as they were
        if how == "extend":
            assert crash % 2000 == 0  # a killed transaction is not half there
        assert after.ask("ASK { ?a a <https://w3id.org/coopgraph/ontology#Action> }")
    with EmbeddedStore(store_dir, read_only=False) as writable:  # and read-write, which replays its log
        writable.replace_graph("urn:x-crash:graph", b"<urn:x-crash:s> <urn:x-crash:p> <urn:x-crash:o> .\n")
        assert _per_graph(writable) == {**counts, "urn:x-crash:graph": 1}


def _serve(build: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as fh:
        return subprocess.Popen([*COOPGRAPH, "serve", "--build", str(build), "--host", "127.0.0.1", "--port",
                                 str(port), "--timeout", "10"], cwd=REPO, env=_env(), stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _end_session(proc: subprocess.Popen) -> None:
    """Stop what is left of a process group this test started (worker processes of a killed server)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def test_serve_killed_while_answering_then_restarted_serves_again(build_copy: Path, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    first = _serve(build_copy, port, log)
    try:
        _wait_for(_answers(base + "/health"), first, 120, "coopgraph serve up")
        # a query in flight when the server dies
        def in_flight() -> None:
            with contextlib.suppress(OSError):
                _get(base + "/sparql?query=" + urllib.parse.quote(PER_GRAPH), 30)

        threading.Thread(target=in_flight, daemon=True).start()
        time.sleep(0.2)
        _sigkill(first)
    finally:
        _end_session(first)
    second = _serve(build_copy, port, log)  # the same build, the same port
    try:
        _wait_for(_answers(base + "/health"), second, 120, "coopgraph serve up again")
        assert json.loads(_get(base + "/health")[1])["status"] == "ok"
        status, body = _get(base + "/id/acteur/caf/49.html")
        assert status == 200 and b"Caf" in body
        status, body = _get(base + "/sparql?query=" + urllib.parse.quote(PER_GRAPH),
                            accept="application/sparql-results+json")
        counts = {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}
        assert status == 200 and counts == json.loads((build_copy / "summary.json").read_text())["graphs"]
    finally:
        _end_session(second)


# ----------------------------------------------------------------------------------------------------------------
# 4. A remote store that goes away, freezes and comes back
# ----------------------------------------------------------------------------------------------------------------


def test_serve_over_a_remote_store_that_goes_away_answers_503_then_recovers(build_copy: Path,
                                                                            tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from coopgraph.web import ServeConfig, create_app

    port, log = free_port(), tmp_path / "oxigraph.log"
    endpoint = f"http://127.0.0.1:{port}/query"
    timeout = 2.0
    requests = {  # what a user asks: a query, a resource page, the health check
        "sparql": ("/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"), {}),
        "page": ("/id/acteur/caf/49.html", {}),
        "turtle": ("/id/acteur/caf/49.ttl", {}),
        "health": ("/health", {}),
    }

    def ask_all(client: TestClient) -> dict[str, tuple[int, str, float]]:
        out = {}
        for name, (path, headers) in requests.items():
            started = time.monotonic()
            r = client.get(path, headers=headers)
            out[name] = (r.status_code, r.text, time.monotonic() - started)
        return out

    def all_ok(client: TestClient) -> None:
        for name, (status, text, _) in ask_all(client).items():
            assert status == 200, (name, text[:500])

    def all_unavailable(client: TestClient, why: str) -> None:
        for name, (status, text, seconds) in ask_all(client).items():
            assert status == 503, (why, name, status, text[:500])
            assert seconds < 10, (why, name, seconds)  # bounded by the time limit, not a hang
            assert endpoint in text or "store" in text.lower(), (why, name, text[:500])

    server = None
    try:
        with _oxigraph(build_copy / "store", port, log, read_only=True) as server:
            app = create_app(ServeConfig(build=build_copy, endpoint=endpoint, timeout=timeout))
            with TestClient(app, follow_redirects=False) as client:
                all_ok(client)

                server.send_signal(signal.SIGSTOP)  # frozen: connections are accepted, nothing answers
                try:
                    all_unavailable(client, "frozen")
                finally:
                    server.send_signal(signal.SIGCONT)
                all_ok(client)

                _sigkill(server)  # gone: connections are refused
                all_unavailable(client, "down")
                health = client.get("/health").json()
                assert health["status"] == "unavailable" and endpoint in health["error"]

                with _oxigraph(build_copy / "store", port, log, read_only=True):  # back, same place
                    all_ok(client)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGCONT)
            _sigkill(server)
