"""``coopgraph serve`` refuses clearly what it cannot do (exit 2, nothing started)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from coopgraph.cli import main


def test_no_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--build", str(tmp_path / "nothing")]) == 2
    assert "run `coopgraph build` first" in capsys.readouterr().err


def test_port_in_use(web_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--build", str(web_build), "--port", str(port)]) == 2
    assert "already in use" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--port", "70000"], ["--timeout", "0"], ["--max-rows", "-1"]])
def test_bad_options(web_build: Path, args: list[str]) -> None:
    assert main(["serve", "--build", str(web_build), *args]) == 2
