"""Root pytest configuration: the notebooks (notebooks/*.ipynb, run by nbmake) read the session's seed build.

nbmake starts one Jupyter kernel per notebook; kernels inherit this process's environment, so the build the tests
make once (``seed_build_once`` in tests/conftest.py) is handed to them as ``COOPGRAPH_BUILD``, which
``coopgraph.analysis.find_build`` reads. A ``COOPGRAPH_BUILD`` already set is left as it is.
"""

from __future__ import annotations

import os

import pytest


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.path.suffix != ".ipynb" or os.environ.get("COOPGRAPH_BUILD"):
        return
    from tests.conftest import seed_build_once

    factory: pytest.TempPathFactory = item.config._tmp_path_factory  # the session's tmp_path_factory
    os.environ["COOPGRAPH_BUILD"] = str(seed_build_once(factory).out)
