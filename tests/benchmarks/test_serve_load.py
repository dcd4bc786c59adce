"""The load benchmark keeps working: ``benchmarks/serve_load.py`` at 4 clients for 3 s on the session's seed build
(``make load`` runs it at 64 clients for 60 s and writes benchmarks/LOAD.md)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from coopgraph.build import BuildResult

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _module():
    spec = importlib.util.spec_from_file_location("bench_serve_load", BENCH / "serve_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_tiny_load_run_has_no_error_and_reports_every_figure(seed_build: BuildResult, tmp_path: Path) -> None:
    load = _module()
    out, md = tmp_path / "load.json", tmp_path / "LOAD.md"
    load.main(["--build", str(seed_build.out), "--clients", "4", "--seconds", "3", "--json", str(out),
               "--markdown", str(md), "--no-warmup", "--", "--timeout", "2"])
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["errors"] == 0, r["first_errors"]
    assert r["server_alive"] and r["server_log_errors"] == 0, r["server_log_tail"]
    assert set(r["kinds"]) == set(load.KINDS) and all(k["responses"] > 0 for k in r["kinds"].values()), r["kinds"]
    for k in r["kinds"].values():
        assert {"per_second", "p50_ms", "p95_ms", "p99_ms", "statuses", "errors"} <= set(k)
    assert r["kinds"]["sparql-timeout"]["statuses"] == {"503": r["kinds"]["sparql-timeout"]["responses"]}
    assert set(r["kinds"]["sparql-rowlimit"]["statuses"]) == {"400"}
    assert {"start", "max", "end", "slope_last_half_mb_per_min", "samples"} <= set(r["rss_mb"])
    assert {"start", "max", "end"} <= set(r["tree_rss_mb"]) and r["load_average"]["start"]
    assert all(p["status"] == 200 for p in r["probe"].values()), r["probe"]
    assert {"per_second", "responses", "p50_ms", "p95_ms", "p99_ms", "machine", "command", "date",
            "cpu_after_percent", "problems"} <= set(r)
    text = md.read_text(encoding="utf-8")
    assert "responses/s" in text and "--clients 4" in text and "Load average" in text
