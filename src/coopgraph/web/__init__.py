"""``coopgraph serve``: Linked Data pages, a SPARQL 1.1 Protocol endpoint, the dataset description and downloads."""

from __future__ import annotations

from .app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
