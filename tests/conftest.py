"""Shared test helpers: where the repository and the optional ../shared material are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
