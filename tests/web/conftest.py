"""Fixtures of the web tests: the seed build served in-process (TestClient) and by a real server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph.build import BuildResult
from coopgraph.web import ServeConfig, create_app
from tests.conftest import REPO

warnings.filterwarnings("ignore", module="httpx")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {seconds} s")


@pytest.fixture(scope="session")
def web_build(seed_build: BuildResult) -> Path:
    assert seed_build.out is not None
    return Path(seed_build.out)


@pytest.fixture(scope="session")
def web_app(web_build: Path):
    return create_app(ServeConfig(build=web_build, timeout=10, max_rows=10_000))


@pytest.fixture(scope="session")
def client(web_app):
    from starlette.testclient import TestClient

    with TestClient(web_app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


@dataclass
class LiveServer:
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def live_server(web_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``coopgraph serve`` in its own process, on 127.0.0.1 and a free port."""
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "coopgraph", "serve", "--build", str(web_build), "--host", "127.0.0.1", "--port",
             str(port), "--timeout", "5", "--max-rows", "5000"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, text=True, env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_up(base + "/health", proc=proc)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')}") from None
        yield LiveServer(base, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ThreadServer:
    """uvicorn serving an app from a thread of the test process (for stores built by the tests)."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
