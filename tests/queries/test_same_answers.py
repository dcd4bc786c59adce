"""Every query of the library gives the same answer on the embedded store and on the Oxigraph server."""

from __future__ import annotations

import pytest

from coopgraph.build import BuildResult
from coopgraph.queries import checks, library
from coopgraph.store import EmbeddedStore, RemoteStore
from tests.queries.results import canonical
from tests.servers import Server

DOCS = {**library(), **checks()}


@pytest.fixture(scope="module")
def stores(seed_build: BuildResult, oxigraph_seed: Server) -> tuple[EmbeddedStore, RemoteStore]:
    assert seed_build.out is not None
    return EmbeddedStore.for_build(seed_build.out), RemoteStore(oxigraph_seed.query, timeout=120)


@pytest.mark.parametrize("name", sorted(DOCS))
def test_embedded_and_oxigraph_server_agree(stores: tuple[EmbeddedStore, RemoteStore], name: str) -> None:
    embedded, remote = stores
    doc = DOCS[name]
    here = embedded.query(doc.text, doc.bindings(), timeout=120)
    there = remote.query(doc.text, doc.bindings(), timeout=120)
    assert there.variables == here.variables
    assert canonical(there, doc) == canonical(here, doc)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("actor-cooperations", {"actor": "https://w3id.org/coopgraph/id/acteur/departement/42"}),
        ("actions-by-theme", {"theme": "https://w3id.org/coopgraph/vocab/theme/enfance"}),
        ("epci-communes", {"millesime": "2021"}),
        ("epci-communes-moved", {"departement": "https://w3id.org/coopgraph/id/territoire/departement/42"}),
        ("instruments-in-force", {"date": "2025-03-01"}),
        ("find-actors", {"text": "haute-loire"}),
        ("shared-themes", {"minimum": "2"}),
        ("shared-themes", {"instrument": "https://w3id.org/coopgraph/id/instrument/entente-loire-haute-loire"}),
    ],
)
def test_they_agree_with_other_parameters(stores: tuple[EmbeddedStore, RemoteStore], name: str,
                                          values: dict[str, str]) -> None:
    embedded, remote = stores
    doc = DOCS[name]
    here = embedded.query(doc.text, doc.bindings(values), timeout=120)
    assert canonical(remote.query(doc.text, doc.bindings(values), timeout=120), doc) == canonical(here, doc)


def test_the_server_holds_the_build(stores: tuple[EmbeddedStore, RemoteStore]) -> None:
    embedded, remote = stores
    assert remote.graphs() == embedded.graphs()
