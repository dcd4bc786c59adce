"""The per-node memo behind the pages (web/resources.py TermMemo): same pages with it as without, and bounded."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.web import ServeConfig, create_app
from coopgraph.web.resources import TermMemo

PAGES = ["/id/acteur/caf/49.html", "/id/acteur/siren/200071553.html", "/id/territoire/departement/49.html",
         "/id/instrument/ctg-loire-layon-aubance-2020-2024.html", "/id/action/ctg-loire-layon-aubance-2020-2024/4-2-3.html",
         "/id/territoire/commune/49283.html?lang=en", "/id/acteur/caf/49.ttl"]


def test_memo_is_bounded_and_least_recently_used_goes_first() -> None:
    memo = TermMemo(2)
    a, b, c = (ox.NamedNode(f"https://example.org/{x}") for x in "abc")
    memo.put((a, ("values",)), [1])
    memo.put((b, ("values",)), [2])
    assert memo.get((a, ("values",))) == [1]  # a is now the most recent
    memo.put((c, ("values",)), [3])
    assert len(memo) == 2
    assert memo.get((b, ("values",))) is None
    assert memo.get((a, ("values",))) == [1] and memo.get((c, ("values",))) == [3]
    off = TermMemo(0)
    off.put((a, ("values",)), [1])
    assert len(off) == 0 and off.get((a, ("values",))) is None


@pytest.fixture(scope="module")
def memo_clients(web_build: Path):
    from starlette.testclient import TestClient

    with_memo = create_app(ServeConfig(build=web_build, cache_pages=2000))
    without = create_app(ServeConfig(build=web_build, cache_pages=0))
    with TestClient(with_memo) as a, TestClient(without) as b:
        yield with_memo, a, b


def test_same_pages_with_and_without_the_memo(memo_clients) -> None:
    app, a, b = memo_clients
    site = app.state.site
    assert site.memo.entries > 0 and site.runner is not None
    assert len(site.memo) == 0
    for path in PAGES:
        first = a.get(path)
        site.cache._data.clear()  # the page cache off: the second rendering reads through the memo only
        again = a.get(path)
        plain = b.get(path)
        assert first.status_code == again.status_code == plain.status_code == 200, path
        assert first.text == again.text == plain.text, path
    assert len(site.memo) > 0
    assert b.app.state.site.memo.entries == 0 and len(b.app.state.site.memo) == 0
