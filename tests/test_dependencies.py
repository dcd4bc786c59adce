"""The dependencies are bounded and locked: every requirement in pyproject.toml has an upper bound, every package it
names is pinned in requirements/constraints.txt at a version its range allows, and the constraints file is what the
running venv holds (``make setup`` installs with ``-c requirements/constraints.txt``; ``make lock`` regenerates it).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

CONSTRAINTS = REPO / "requirements" / "constraints.txt"
NOT_LOCKED = {"setuptools", "wheel"}  # what `python -m venv` brings (3.11), not what the project installs


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements() -> list[tuple[str, Requirement]]:
    project = _pyproject()["project"]
    out = [("dependencies", Requirement(r)) for r in project["dependencies"]]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        out += [(f"[{extra}]", Requirement(r)) for r in reqs]
    return out


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for n, line in enumerate(CONSTRAINTS.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert m, f"{CONSTRAINTS.name}:{n}: not an exact pin `name==version`: {line!r}"
        name = canonicalize_name(m.group(1))
        assert name not in pins, f"{CONSTRAINTS.name}:{n}: {name} is pinned twice"
        pins[name] = Version(m.group(2))
    return pins


def test_every_requirement_has_an_upper_bound() -> None:
    reqs = _requirements() + [("build-system", Requirement(r)) for r in _pyproject()["build-system"]["requires"]]
    unbounded = [f"{where}: {req}" for where, req in reqs
                 if not any(s.operator in ("<", "<=", "==", "===", "~=") for s in req.specifier)]
    assert not unbounded, f"requirements without an upper bound: {unbounded}"


def test_every_package_of_pyproject_is_pinned_within_its_range() -> None:
    pins = _pins()
    missing = sorted({str(req.name) for _, req in _requirements() if canonicalize_name(req.name) not in pins})
    assert not missing, f"not pinned in {CONSTRAINTS}: {missing} (run `make lock`)"
    outside = [f"{where}: {req} but {pins[canonicalize_name(req.name)]} is pinned" for where, req in _requirements()
               if not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)]
    assert not outside, f"pins outside pyproject's ranges: {outside} (run `make lock`)"
    assert "pip" in pins, "pip itself is pinned (make setup upgrades it to the pinned version)"


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="not running in a venv (make setup makes .venv)")
def test_the_venv_holds_exactly_the_pinned_versions() -> None:
    installed: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            installed.setdefault(canonicalize_name(name), dist.version)
    installed.pop("coopgraph", None)
    pins = _pins()
    wrong = [f"{n}: {installed.get(n, 'not installed')} installed, {v} pinned" for n, v in sorted(pins.items())
             if n not in installed or Version(installed[n]) != v]
    extra = sorted(f"{n}=={v}" for n, v in installed.items() if n not in pins and n not in NOT_LOCKED)
    assert not wrong, f".venv differs from {CONSTRAINTS.name}: {wrong} (run `make setup`)"
    assert not extra, f".venv holds packages {CONSTRAINTS.name} does not pin: {extra} (`make lock`, or remove them)"


def test_make_setup_installs_with_the_constraints() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    stamp = next(line for line in makefile.splitlines() if line.startswith("$(STAMP):"))
    assert "requirements/constraints.txt" in stamp, "the setup stamp depends on the constraints file"
    installs = [line for line in makefile.splitlines() if "pip install" in line]
    assert installs and all("-c requirements/constraints.txt" in line for line in installs), installs
