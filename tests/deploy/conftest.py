"""One image-equivalent install per test session (see tests/deploy/image.py); the tests run what it installed."""

from __future__ import annotations

import pytest

from tests.deploy.image import IndexUnreachable, Runtime, build_runtime


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    try:
        return build_runtime(tmp_path_factory.mktemp("image"))
    except IndexUnreachable as exc:
        pytest.skip(f"pip could not fetch the build backend from the package index (as docker build would):\n{exc}")
