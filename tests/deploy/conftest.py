"""One image-equivalent install per test session (see tests/deploy/image.py); the tests run what it installed.

The replay installs from requirements.lock without the package index, so it needs no network and is never skipped.
"""

from __future__ import annotations

import pytest

from tests.deploy.image import Runtime, build_runtime


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return build_runtime(tmp_path_factory.mktemp("image"))
