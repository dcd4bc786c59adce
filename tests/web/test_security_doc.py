"""The README's Security section states the limits of ``coopgraph serve`` as the code has them: each flag's default,
the body and query caps, the page cache's bytes and the query workers' recycling."""

from __future__ import annotations

import argparse
import re

import pytest

from coopgraph import serve
from coopgraph.web import endpoint, isolation
from coopgraph.web.app import HTML_CSP, PageCache
from tests.conftest import REPO


@pytest.fixture(scope="module")
def section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count("## Security\n") == 1 and readme.lower().count("**security.**") == 0  # one place, no copy
    return readme.split("## Security\n", 1)[1].split("\n## ", 1)[0]


def _rows(section: str) -> dict[str, list[str]]:
    rows = {}
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| limit") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[1].strip("`") or cells[0]] = cells
    return rows


def _number(text: str) -> float:
    return float(re.match(r"[\d,.]+", text).group(0).replace(",", ""))  # type: ignore[union-attr]


def test_flag_defaults_are_the_code_defaults(section: str) -> None:
    ap = argparse.ArgumentParser()
    serve.add_parser(ap.add_subparsers())
    defaults = vars(ap.parse_args(["serve"]))
    rows = _rows(section)
    for flag in ("--timeout", "--max-rows", "--concurrency", "--threads", "--cache-pages", "--workers"):
        assert flag in rows, f"{flag} is missing from the limits table"
        assert _number(rows[flag][2]) == defaults[flag[2:].replace("-", "_")], (flag, rows[flag])


def test_fixed_limits_are_the_code_constants(section: str) -> None:
    rows = _rows(section)
    assert rows["a POSTed request body"][2] == "1 MiB" and endpoint.MAX_BODY == 1024 * 1024
    assert rows["a query's text"][2] == "256 K characters" and endpoint.MAX_QUERY == 256 * 1024
    assert "(64 MB at most)" in rows["--cache-pages"][3] and PageCache(1).max_bytes == 64 * 1024 * 1024
    assert f"replaced after {isolation.RECYCLE:,} queries" in " ".join(section.split())
    assert " ".join(section.split()).count(HTML_CSP) == 1


def test_a_vulnerability_is_reported_privately(section: str) -> None:
    assert "Open a private security advisory on the project's repository" in section
