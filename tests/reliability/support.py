"""Helpers of the bad-input catalogue: a canary listener that must never be called, and folder fingerprints.

Fixtures are defined here and imported by the test modules that use them (not in a conftest.py, which this folder
shares with other reliability tests).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coopgraph.build import BuildResult


@dataclass
class Canary:
    """A TCP listener on a loopback port that nothing should connect to: the host the bad inputs name.

    A connection attempt completes in the kernel even when nobody accepts it, so :meth:`assert_untouched` finds any
    that happened since the last check, however early.
    """

    sock: socket.socket
    port: int
    seen: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def assert_untouched(self, wait: float = 0.3) -> None:
        self.sock.settimeout(wait)
        try:
            conn, _ = self.sock.accept()
        except TimeoutError:
            return
        conn.settimeout(0.5)
        try:
            first = conn.recv(200)
        except OSError:
            first = b""
        conn.close()
        self.seen.append(first.decode("latin-1"))
        raise AssertionError(f"something connected to the canary {self.host}: {first[:200]!r}")


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A listener on 127.0.0.1:<free port>; the test fails if anything connected to it by the end."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    c = Canary(sock, sock.getsockname()[1])
    try:
        yield c
        c.assert_untouched(0.1)
    finally:
        sock.close()


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder (relative path → SHA-1 of its bytes), and the names beside it in its parent (a
    build writes ``.NAME.tmp-PID`` / ``.NAME.old-PID`` there while it swaps folders)."""
    out: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            with open(path, "rb") as fh:
                out[str(path.relative_to(folder))] = hashlib.file_digest(fh, "sha1").hexdigest()
    out["<beside>"] = " ".join(sorted(p.name for p in folder.parent.iterdir()))
    return out


@dataclass
class PreviousBuild:
    """A complete earlier build in the folder a bad build is told to write to, and its fingerprint."""

    out: Path
    digest: dict[str, str]

    def assert_untouched(self) -> None:
        now = fingerprint(self.out)
        changed = sorted(k for k in self.digest.keys() | now.keys() if self.digest.get(k) != now.get(k))
        assert not changed, f"the previous build changed: {changed[:10]}"


@pytest.fixture(scope="module")
def previous_build(seed_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> PreviousBuild:
    """A copy of the session's seed build (store included), alone in its parent folder."""
    assert seed_build.out is not None
    out = tmp_path_factory.mktemp("previous") / "build"
    shutil.copytree(seed_build.out, out)
    return PreviousBuild(out, fingerprint(out))
