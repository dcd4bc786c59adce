"""Real SPARQL servers for the tests, started on 127.0.0.1 and a free port, stopped at the end.

- Oxigraph server (the ``oxigraph`` wheel): always. ``oxigraph_seed`` serves a copy of the seed build's embedded
  store (same on-disk format) with ``--union-default-graph``; ``oxigraph_empty`` is a fresh in-memory server.
- Virtuoso (Debian ``virtuoso-opensource``): tests marked ``virtuoso`` skip when ``virtuoso-t`` is missing. Its
  stock ini is copied with the ports bound to 127.0.0.1 and the database in a temporary folder.

Registered as a plugin in tests/conftest.py (``pytest_plugins``), so each server starts once per session.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph.build import BuildResult

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_exe() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    if exe.exists():
        return str(exe)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")
    return found


def _wait_http(url: str, proc: subprocess.Popen, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not ready after {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Server:
    query: str  # the SPARQL query endpoint
    base: str
    folder: Path
    proc: subprocess.Popen


@contextlib.contextmanager
def oxigraph_server(folder: Path, *, location: Path | None, timeout_s: int | None = None) -> Iterator[Server]:
    """``oxigraph serve`` on 127.0.0.1 and a free port (in memory when ``location`` is None)."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [oxigraph_exe(), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if location is not None:
        cmd += ["--location", str(location)]
    if timeout_s is not None:
        cmd += ["--timeout-s", str(timeout_s)]
    log = folder / "oxigraph.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/query?query=ASK%7B%7D", proc, 30, log)
        yield Server(base + "/query", base, folder, proc)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def oxigraph_seed(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Oxigraph server holding the seed build (a copy of its embedded store)."""
    assert seed_build.out is not None
    folder = tmp_path_factory.mktemp("oxigraph-seed")
    location = folder / "data"
    shutil.copytree(Path(seed_build.out) / "store", location)
    with oxigraph_server(folder, location=location) as server:
        yield server


@pytest.fixture()
def oxigraph_empty(tmp_path: Path) -> Iterator[Server]:
    """A fresh, empty, in-memory Oxigraph server for one test."""
    with oxigraph_server(tmp_path / "oxigraph", location=None) as server:
        yield server


# ------------------------------------------------------------------------------------------------------------------
# Virtuoso
# ------------------------------------------------------------------------------------------------------------------


def virtuoso_exe() -> str:
    exe = shutil.which("virtuoso-t")
    if exe is None or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso (Debian virtuoso-opensource) is not installed; make setup installs it")
    return exe


def virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """The stock ini with both ports on 127.0.0.1, the database files in ``folder`` and ``folder`` allowed, and no
    refusal on estimated cost. The 10,000-row cap (ResultSetMaxRows) is kept: a test checks it is detected."""
    section = None
    out = []
    for line in VIRTUOSO_INI.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*\[(\w+)\]", line)
        if m:
            section = m.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith(";") else None
        if section in ("Database", "TempDatabase") and key in (
            "DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"
        ):
            line = f"{key} = {folder / line.split('=', 1)[1].strip().rsplit('/', 1)[-1]}"
        elif section == "Parameters" and key == "ServerPort":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif section == "HTTPServer" and key == "ServerPort":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif section == "Parameters" and key == "DirsAllowed":
            line = f"DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad"
        elif section == "SPARQL" and key == "MaxQueryCostEstimationTime":
            line = "MaxQueryCostEstimationTime = 0"  # its estimate for joined sub-queries is far off (see store.py)
        out.append(line)
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(out) + "\n", encoding="utf-8")
    return ini


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Virtuoso with a fresh database (user dba/dba), on loopback."""
    exe = virtuoso_exe()
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = virtuoso_ini(folder, sql_port, http_port)
    log = folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], stdout=out, stderr=subprocess.STDOUT,
                                cwd=folder, env={**os.environ, "LC_ALL": "C.UTF-8"})
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_http(base + "/sparql?query=ASK%7B%7D", proc, 120, log)
        yield Server(base + "/sparql", base, folder, proc)
    finally:
        _stop(proc)
