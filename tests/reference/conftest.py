"""Fixtures of the reference-layer tests: the vendored layer (read-only) and synthetic releases in tmp folders."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.reference import INDEX_FILE, LAYER_FILE, MANIFEST_FILE, default_dir, load_index

from .synthetic import release_2021, release_2026, write_release


@pytest.fixture(scope="session")
def vendored() -> Path:
    folder = default_dir()
    if not (folder / LAYER_FILE).is_file():
        pytest.fail(f"no vendored layer in {folder}: run `coopgraph reference build --from …`")
    return folder


@pytest.fixture(scope="session")
def manifest(vendored: Path) -> dict:
    return json.loads((vendored / MANIFEST_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def store(vendored: Path) -> ox.Store:
    """The vendored layer in an in-memory Oxigraph store (bulk load)."""
    s = ox.Store()
    with gzip.open(vendored / LAYER_FILE, "rb") as fh:
        s.bulk_load(fh.read(), format=ox.RdfFormat.N_TRIPLES)
    return s


@pytest.fixture(scope="session")
def index(vendored: Path):
    return load_index(vendored)


@pytest.fixture
def vendored_copy(tmp_path: Path, vendored: Path) -> Path:
    """A copy of the vendored layer that a command may write to."""
    target = tmp_path / "reference"
    target.mkdir()
    for name in (LAYER_FILE, INDEX_FILE, MANIFEST_FILE):
        shutil.copy2(vendored / name, target / name)
    return target


@pytest.fixture
def upstream(tmp_path: Path) -> dict[str, Path]:
    """The two synthetic releases, unpacked."""
    return {
        "2021": write_release(tmp_path / "up-1.1.1", "1.1.1", release_2021()),
        "2026": write_release(tmp_path / "up-6.0.0", "6.0.0", release_2026()),
    }


def sparql(store: ox.Store, query: str) -> list[dict[str, str]]:
    prefixes = (
        "PREFIX coop: <https://w3id.org/coopgraph/ontology#>\n"
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
    )
    result = store.query(prefixes + query)
    names = [v.value for v in result.variables]
    return [{n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in result]
