"""Where the data folders are: the repository in a source checkout, ``coopgraph/_data`` in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_WHEEL_DATA = _PACKAGE / "_data"
_REPO_ROOT = _PACKAGE.parent.parent


def data_path(name: str) -> Path:
    """Path of a shipped data folder such as ``ontology``, ``shapes`` or ``graph/reference``."""
    wheel = _WHEEL_DATA / name
    if wheel.exists():
        return wheel
    return _REPO_ROOT / name


def default_build_dir() -> Path:
    """``graph/build`` of the current working directory: builds are user output, never inside the package."""
    return Path("graph") / "build"
