"""The image's venv holds requirements.lock and jifen, nothing else, and the lock is all jifen needs: with
``--no-deps`` pip checks no dependency, so a requirement added to pyproject.toml (or pulled in by a new version
of a dependency) without ``python3 dev.py lock`` would build an image that fails at import time.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.deployfiles import pyproject
from tests.deploy.image import Runtime, requirement_closure

pytestmark = pytest.mark.slow  # deploy replay: installs the image-equivalent runtime

# Runs inside the installed interpreter: every distribution it can see.
_DISTRIBUTIONS = """
import importlib.metadata, json
print(json.dumps([[d.metadata["Name"], d.version] for d in importlib.metadata.distributions()]))
"""


def _jifen_requires(runtime: Runtime) -> list[str]:
    [dist_info] = runtime.site_packages.glob("jifen-*.dist-info")
    metadata = (dist_info / "METADATA").read_text(encoding="utf-8")
    return [line.removeprefix("Requires-Dist:").strip() for line in metadata.splitlines()
            if line.startswith("Requires-Dist:")]


def test_the_venv_sees_exactly_the_lock_and_jifen(runtime: Runtime, tmp_path: Path) -> None:
    done = subprocess.run([str(runtime.python), "-c", _DISTRIBUTIONS], cwd=tmp_path, env=runtime.env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = [(canonicalize_name(name), version) for name, version in json.loads(done.stdout)]
    assert len(seen) == len(dict(seen)), f"a distribution is installed twice: {sorted(seen)}"
    project = pyproject()["project"]
    expected = {name: pin.version for name, pin in runtime.pins.items()} | {project["name"]: project["version"]}
    assert dict(seen) == expected


def test_the_wheels_requirements_are_all_in_the_lock(runtime: Runtime) -> None:
    requires = _jifen_requires(runtime)
    assert requires, "the built wheel declares no Requires-Dist"
    needed, problems = requirement_closure(requires, [str(runtime.site_packages)])
    assert problems == [], "requirements.lock is stale, run `python3 dev.py lock`"
    assert {name: runtime.pins[name].version for name in needed} == needed


def test_the_lock_pins_nothing_but_the_closure_and_the_build_backend(runtime: Runtime) -> None:
    needed, _ = requirement_closure(_jifen_requires(runtime), [str(runtime.site_packages)])
    backend = {canonicalize_name(Requirement(r).name) for r in pyproject()["build-system"]["requires"]}
    assert set(runtime.pins) - set(needed) == backend


def test_the_wheel_was_built_by_the_locked_setuptools(runtime: Runtime) -> None:
    [dist_info] = runtime.site_packages.glob("jifen-*.dist-info")
    wheel = (dist_info / "WHEEL").read_text(encoding="utf-8")
    assert f"Generator: setuptools ({runtime.pins['setuptools'].version})" in wheel.splitlines()
