"""Session fixtures of the shapes tests: the shapes graph and the model (ontology + vocabularies)."""

from __future__ import annotations

import pytest
from rdflib import Graph

import coopgraph.validate as cv


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return cv.load_shapes()


@pytest.fixture(scope="session")
def model() -> Graph:
    return cv.load_model()
