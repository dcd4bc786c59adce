"""coopgraph: a knowledge graph of French territorial cooperation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coopgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
