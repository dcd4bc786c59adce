"""Shared test helpers: where the repository and the optional ../shared material are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopgraph.build import BuildResult, build
from coopgraph.paths import data_path

# Real SPARQL servers (Oxigraph, Virtuoso) started once per session: tests/servers.py
pytest_plugins = ["tests.servers"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    """The five seed documents; tests that read them skip when ../shared is absent (users don't have it)."""
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not present")
    return seeds


def rapper_or_skip() -> str:
    exe = shutil.which("rapper")
    if exe is None:
        pytest.skip("rapper (Debian raptor2-utils) is not installed; make setup installs it")
    return exe


_SEED_BUILD: dict[str, BuildResult] = {}


def seed_build_once(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The session's one build of the seed records: the ``seed_build`` fixture and the notebooks (conftest.py at the
    root sets ``COOPGRAPH_BUILD`` to it before nbmake runs them) share it."""
    if "seed" not in _SEED_BUILD:
        out = tmp_path_factory.mktemp("build") / "build"
        result = build(data_path("graph/sources"), out)
        assert result.out is not None, "\n".join(r.message_in("en") + f" <{r.focus}>"
                                                 for r in result.report.violations)
        _SEED_BUILD["seed"] = result
    return _SEED_BUILD["seed"]


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the seed records per test session (with its embedded store): tests read it, none rebuilds it."""
    return seed_build_once(tmp_path_factory)
