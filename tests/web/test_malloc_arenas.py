"""``coopgraph serve`` caps glibc's malloc arenas before it starts any thread: with the default (8 per core) the
server's memory crept up under concurrent load, where with one per core it stays flat (benchmarks/serve_load.py
measures it; LOAD.md)."""

from __future__ import annotations

import argparse
import platform

import pytest

from coopgraph import serve
from coopgraph.web import app as web_app


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_the_cap_is_taken_on_glibc() -> None:
    assert web_app.fewer_malloc_arenas() is True


def test_serve_caps_the_arenas_before_it_opens_the_store(monkeypatch, tmp_path) -> None:
    calls: list[str] = []
    monkeypatch.setattr(web_app, "fewer_malloc_arenas", lambda: calls.append("arenas") or True)

    def create_app(config):  # stops the command here: nothing is served
        calls.append("create_app")
        raise OSError("stop")

    monkeypatch.setattr(web_app, "create_app", create_app)
    (tmp_path / "store").mkdir()
    ap = argparse.ArgumentParser()
    serve.add_parser(ap.add_subparsers())
    args = ap.parse_args(["serve", "--build", str(tmp_path)])
    monkeypatch.setattr(serve, "_check_port", lambda host, port: None)  # nothing listens
    with pytest.raises(Exception, match="stop"):
        serve.run(args)
    assert calls == ["arenas", "create_app"]
