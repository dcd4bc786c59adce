"""The benchmark keeps working: generation at size tiny is deterministic, and a quick run writes its report.

``make bench`` measures sizes S, M and L (an hour or more); this runs the same harness at size tiny with
``--quick`` (generate, build once, the queries, the report), so a change that breaks it shows in ``make test``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph.queries import library

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


@pytest.fixture(scope="module")
def gen():
    return _module("generate")


@pytest.fixture(scope="module")
def run():
    return _module("run")


def test_generation_is_seeded_and_byte_identical(gen, tmp_path: Path) -> None:
    a = gen.generate("tiny", tmp_path / "a")
    b = gen.generate("tiny", tmp_path / "b")
    assert a["sha256"] == b["sha256"]
    names = sorted(p.name for p in (tmp_path / "a").glob("*.yaml"))
    assert names == sorted(p.name for p in (tmp_path / "b").glob("*.yaml"))
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in names)
    kinds = set(a["counts"])
    assert {"ConventionTerritorialeGlobale", "EntenteInterdepartementale", "PlanDeCooperation",
            "CooperationDecentralisee"} <= kinds
    assert any(n.endswith("-pistes.yaml") for n in names)  # an instrument extended by a second record
    other = gen.generate("tiny", tmp_path / "c", seed=a["seed"] + 1)
    assert other["sha256"] != a["sha256"]


def test_a_quick_run_at_size_tiny_writes_the_report(gen, run, tmp_path: Path) -> None:
    work = tmp_path / "work"
    gen.generate("tiny", run.data_dir(work, "tiny", gen.DEFAULT_SEED))  # what the harness would generate
    md, js = tmp_path / "RESULTS.md", tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--sizes", "tiny", "--quick", "--work", str(work),
                           "--out", str(md), "--json", str(js)], capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(js.read_text(encoding="utf-8"))
    size = results["sizes"][0]
    assert size["generate"]["cached"] is True
    assert size["build"]["violations"] == 0, size["build"]
    assert size["build"]["triples"] > 1_080_000  # the reference layer is in
    assert size["build"]["peak_mb"] > 0
    measured = size["queries"]["queries"]
    assert set(measured) == set(library())
    assert all(q["p50"] is not None or q["error"] for q in measured.values())
    text = md.read_text(encoding="utf-8")
    for part in ("## Machine", "`coopgraph build`", "### Queries of `queries/`", "## Targets"):
        assert part in text


def test_the_report_shows_ratios_and_where_the_newcomer_did_not_finish(run, tmp_path: Path) -> None:
    q = {"p50": 0.01, "p95": 0.02, "rows": 3, "runs": 3, "error": None}
    size = {
        "size": "S", "generate": {"seconds": 1.0, "cached": True, "records": 3, "bytes": 10, "sha256": "x",
                                  "counts": {"ConventionTerritorialeGlobale": 2, "actions": 50}},
        "build": {"seconds": 100.0, "peak_mb": 2048.0, "tree_peak_mb": 3000.0, "triples": 1_600_000},
        "records": {"seconds": 20.0, "finished": True, "peak_mb": 900.0},
        "validate": {"seconds": 10.0, "finished": True, "peak_mb": 900.0},
        "load": {"seconds": 5.0, "finished": True, "peak_mb": 500.0},
        "queries": {"finished": True, "queries": {"a": q, "b": q}},
        "analyses": {"finished": True, "total": 3.0, "steps": {"cooperation graph": 1.0}, "actors": 10, "links": 20},
        "server": {"pages": {"per_second": 400.0, "p50_ms": 50.0, "p95_ms": 80.0, "p99_ms": 120.0, "errors": 0,
                             "responses": 4000, "seconds": 10.0},
                   "sparql": {"per_second": 200.0, "p50_ms": 100.0, "p95_ms": 150.0, "p99_ms": 200.0, "errors": 0,
                              "responses": 2000, "seconds": 10.0}},
        "newcomer": {
            "parse_and_queries": {"finished": True, "parse_seconds": 60.0, "queries": {
                "a": {"seconds": 1.0, "rows": 3}, "b": {"timed_out": True, "bound": 60.0}}},
            "shacl_whole": {"finished": False, "timed_out": True, "bound": 900.0},
            "shacl_single_call": {"finished": True, "seconds": 250.0},
        },
    }
    results = {"command": "python benchmarks/run.py --sizes S", "date": "2026-01-01T00:00:00",
               "machine": run.machine(), "repeat": 3, "bound": 900.0, "query_bound": 60.0, "long_step": 300.0,
               "newcomer_mem_gb": 12.0, "load_average_end": (1.0, 1.0, 1.0), "sizes": [size]}
    md = tmp_path / "R.md"
    run.write_report(results, md)
    text = md.read_text(encoding="utf-8")
    assert "60.0 s vs 5.0 s: 12×" in text  # parse vs bulk load
    assert "> 900 s vs 10.0 s: ≥ 90×" in text  # pySHACL on the whole graph did not finish
    assert "250.0 s vs 10.0 s: 25×" in text
    assert "Did not finish within the bound: 1 rdflib queries at size S; pySHACL on the whole graph at size S." in text
    assert "≥ 3050×" in text  # the query set: 61 s (one at its bound) against 0.02 s
