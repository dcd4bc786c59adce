"""Pages read through SPARQL (how they are read from a remote store) are the pages read from the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.web import ServeConfig, create_app

PAGES = [
    "/id/acteur/caf/49.html", "/id/acteur/siren/200071553.html", "/id/instrument/ctg-loire-layon-aubance-2020-2024.html",
    "/id/instrument/entente-loire-haute-loire.html", "/id/action/ctg-loire-layon-aubance-2020-2024/4-2-3.html",
    "/id/territoire/departement/49.html", "/id/territoire/commune/49283.html", "/vocab/theme/jeunesse.html",
    "/id/extrait/ctg-loire-layon-aubance-2020-2024/L16-32.html", "/id/acteur/caf/49.ttl",
    "/id/instrument/ctg-loire-layon-aubance-2020-2024.nt",
]


@pytest.fixture(scope="module")
def sparql_client(web_build: Path):
    from starlette.testclient import TestClient

    app = create_app(ServeConfig(build=web_build, page_reads="sparql", cache_pages=0))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("path", PAGES)
def test_same_page_through_sparql(client, sparql_client, path: str) -> None:
    a, b = client.get(path), sparql_client.get(path)
    assert a.status_code == b.status_code == 200
    assert a.text == b.text
