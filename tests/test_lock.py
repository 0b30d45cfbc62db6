"""The committed locks keep pyproject.toml's promises, without re-resolving anything.

``dev.py`` and the Dockerfile install only what the locks pin; a range widened or a dependency added in
pyproject.toml without ``python3 dev.py lock`` would otherwise be silently ignored (or installed from
whatever the index serves that day, which is how a fresh clone turned red).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DEV_LOCK = ROOT / "requirements-dev.lock"
RUNTIME_LOCK = ROOT / "requirements.lock"
TOOLS_LOCK = ROOT / "requirements-tools.lock"

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")
_HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}\s*\\?$")


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: int


def read_lock(path: Path) -> dict[str, Pin]:
    """``name -> Pin`` from a pip-compile style lock; any line that is not a pin, a hash or a comment fails."""
    pins: dict[str, Pin] = {}
    current: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if match := _PIN.match(line):
            current = canonicalize_name(match["name"])
            assert current not in pins, f"{path.name}:{number}: {current} pinned twice"
            pins[current] = Pin(Version(match["version"]), 0)
        elif _HASH.match(line) and current is not None:
            pins[current] = Pin(pins[current].version, pins[current].hashes + 1)
        else:
            raise AssertionError(f"{path.name}:{number}: not a pin, a hash or a comment: {line!r}")
    return pins


def direct_requirements(*, dev: bool) -> list[Requirement]:
    project = PYPROJECT["project"]
    texts = list(project["dependencies"]) + list(PYPROJECT["build-system"]["requires"])
    if dev:
        texts += project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in texts]


@pytest.mark.parametrize(("lock", "dev"), [(DEV_LOCK, True), (RUNTIME_LOCK, False)], ids=["dev", "runtime"])
def test_every_direct_dependency_is_pinned_inside_its_range(lock: Path, dev: bool) -> None:
    pins = read_lock(lock)
    problems = []
    for requirement in direct_requirements(dev=dev):
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is missing")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} is pinned at {pin.version}")
    assert not problems, f"{lock.name} is stale, run `python3 dev.py lock`: " + "; ".join(problems)


@pytest.mark.parametrize("lock", [DEV_LOCK, RUNTIME_LOCK, TOOLS_LOCK], ids=["dev", "runtime", "tools"])
def test_every_pin_carries_hashes_and_no_machine_paths(lock: Path) -> None:
    text = lock.read_text(encoding="utf-8")
    assert all(pin.hashes for pin in read_lock(lock).values())
    for local in ("file:", "--index-url", "--extra-index-url", "--find-links", "/opt/", "/root/", "/home/", "/tmp/"):
        assert local not in text, f"{lock.name} names this machine's {local!r}"


def test_the_image_runs_the_versions_the_tests_ran() -> None:
    dev, runtime = read_lock(DEV_LOCK), read_lock(RUNTIME_LOCK)
    assert {name: dev.get(name, None) for name in runtime} == runtime


def test_the_tools_lock_pins_pip_and_the_same_setuptools() -> None:
    """The image's base interpreter gets these before anything is installed (deploy/Dockerfile)."""
    tools = read_lock(TOOLS_LOCK)
    assert set(tools) == {"pip", "setuptools"}
    assert tools["setuptools"] == read_lock(RUNTIME_LOCK)["setuptools"]
