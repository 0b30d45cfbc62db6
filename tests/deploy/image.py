"""The container image, reproduced without Docker and without the package index: the Dockerfile's build stage run
as written, with nothing of the source tree on ``sys.path``.

Steps, each read from deploy/Dockerfile (``deployfiles.build_steps``):

0. ``RUN pip install --require-hashes ... -r requirements-tools.lock``: not replayed. It replaces the base image's
   own pip and setuptools (the interpreter outside the venv); the test virtualenv's pip stands for that pip, and the
   lock's pins and hashes are checked statically (tests/deploy/test_static.py);
1. a build context holding only what the build stage ``COPY``s (to its WORKDIR), less what .dockerignore drops;
2. ``RUN python -m venv --without-pip /opt/jifen``: the same command, the venv made in a temporary directory. It
   stands for /opt/jifen in both stages, since the final stage copies it to the same path (checked);
3. ``RUN pip --python /opt/jifen/bin/python install --require-hashes ... -r requirements.lock``: not downloaded.
   Every pin of the copied lock whose environment marker applies to this interpreter is linked into the venv's
   site-packages from the test virtualenv, each checked to be exactly the pinned version (dev.py installs the
   test virtualenv from requirements-dev.lock, which tests/test_lock.py holds to the same versions). Nothing
   else is linked: no pytest, no editable ``jifen``, so an import of a package the lock lacks fails here as it
   would in the image;
4. ``RUN pip --python /opt/jifen/bin/python install --no-deps --no-build-isolation ... .``: run for real, the
   same arguments with the venv's path substituted, by the test virtualenv's pip, with the index switched off
   (``PIP_NO_INDEX``). The build backend is the locked setuptools linked in step 3.

Nothing is fetched, so the replay needs no network and has no "index unreachable" skip any more: before the lock,
the build stage had pip fetch the newest setuptools into an isolated build environment, so the replay did too.
A Dockerfile that needs the index to build the project (build isolation, dependencies resolved by pip) now fails
here instead of being reproduced.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.deploy.deployfiles import (
    ROOT,
    TOOLS_LOCK,
    BuildSteps,
    LockPin,
    Stage,
    build_steps,
    dockerfile_stages,
    dockerignore_rules,
    dockerignored,
    lock_pins,
)

PIP_TIMEOUT_S = 240


@dataclass(frozen=True)
class Runtime:
    prefix: Path  # the venv; stands for the image's /opt/jifen
    image_prefix: PurePosixPath  # /opt/jifen
    site_packages: Path
    pins: dict[str, LockPin]  # requirements.lock's pins that apply to this interpreter: what step 3 installed
    build_seconds: float

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process in the image: our ``bin`` first on PATH, no JIFEN_*/PYTHON* leaking in."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JIFEN_", "PYTHON")) and k not in ("VIRTUAL_ENV", "REDIS_URL")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env | extra

    def local_path(self, image_path: str) -> str:
        """A path in the image as the replay has it: only the venv lives elsewhere."""
        path = PurePosixPath(image_path)
        if path == self.image_prefix or self.image_prefix in path.parents:
            return str(self.prefix / path.relative_to(self.image_prefix))
        return image_path

    def local_search_path(self, value: str) -> str:
        """A ``PATH`` value of the image with its venv entries moved to the replay's venv."""
        return ":".join(self.local_path(entry) for entry in value.split(":"))


def _copytree_ignore(rules: list[tuple[bool, re.Pattern[str]]]) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).relative_to(ROOT).as_posix()
        return {name for name in names if dockerignored(f"{relative}/{name}", rules)}

    return ignore


def build_context(build: Stage, context: Path) -> None:
    """Copy what the build stage COPYs from the repository, to the same places relative to its WORKDIR, leaving out
    what .dockerignore keeps out of the build context."""
    rules = dockerignore_rules()
    workdir = PurePosixPath(build.workdir())
    for copy in build.copies():
        if copy.from_stage is not None:
            continue
        dest = PurePosixPath(copy.dest)
        target_dir = context / (dest.relative_to(workdir) if dest.is_absolute() else dest)
        for source in copy.sources:
            src = ROOT / source
            if not src.exists() or dockerignored(PurePosixPath(source).as_posix(), rules):
                raise FileNotFoundError(f"the Dockerfile COPYs {source}, which is not in the build context")
            if src.is_dir():  # Docker copies the directory's contents into dest
                shutil.copytree(src, target_dir, dirs_exist_ok=True, ignore=_copytree_ignore(rules))
            elif copy.dest.endswith("/") or len(copy.sources) > 1:
                target_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target_dir / src.name)
            else:
                target_dir.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target_dir)


def in_context(build: Stage, context: Path, path: str) -> Path:
    """A path as a RUN of the build stage names it (relative to WORKDIR), in the replayed context."""
    workdir = PurePosixPath(build.workdir())
    return context / (workdir / path).relative_to(workdir)


def check_replayable(steps: BuildSteps) -> None:
    """What the replay relies on: otherwise it would not reproduce the image (or the image would use the index)."""
    python = str(PurePosixPath(steps.venv) / "bin" / "python")
    if "--without-pip" not in steps.venv_options:
        raise ValueError("the venv gets pip and an old setuptools from ensurepip: expected --without-pip")
    for step in (steps.lock, steps.project):
        if step.python != python:
            raise ValueError(f"expected pip --python {python}, got {step.argv}")
    if "--require-hashes" not in steps.lock.flags or steps.lock.targets or len(steps.lock.values("--requirement")) != 1:
        raise ValueError(f"expected `pip install --require-hashes -r LOCK` and nothing else, got {steps.lock.argv}")
    if steps.tools.python is not None or "--require-hashes" not in steps.tools.flags:
        raise ValueError(f"expected the base interpreter's `pip install --require-hashes -r {TOOLS_LOCK.name}`, "
                         f"got {steps.tools.argv}")
    if not {"--no-deps", "--no-build-isolation"} <= steps.project.flags:
        raise ValueError(f"expected the project built by the locked setuptools (--no-deps --no-build-isolation), "
                         f"got {steps.project.argv}")


def installed_in_test_virtualenv(name: str) -> importlib.metadata.Distribution:
    """A distribution installed in the test virtualenv itself (not the source tree's egg-info, not pytest's path)."""
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    found = list(importlib.metadata.distributions(name=name, path=paths))
    if len(found) != 1:
        raise AssertionError(f"{name}: {len(found)} installations in the test virtualenv ({paths})")
    return found[0]


def _top_level_entries(dist: importlib.metadata.Distribution) -> set[str]:
    """The names a distribution puts directly into site-packages (packages, modules, .pth files, its .dist-info);
    console scripts (``../../../bin``) are left out: nothing in the image runs a dependency's script."""
    if dist.files is None:
        raise AssertionError(f"{dist.metadata['Name']} has no RECORD: cannot tell which files it installed")
    return {file.parts[0] for file in dist.files if file.parts[0] not in ("..", "__pycache__")}


def link_lock(lock_file: Path, site_packages: Path) -> dict[str, LockPin]:
    """Step 3: the lock's applicable pins, from the test virtualenv at exactly the pinned versions, into the venv."""
    pins = {name: pin for name, pin in lock_pins(lock_file.read_text(encoding="utf-8")).items() if pin.applies()}
    owners: dict[str, str] = {}
    for pin in pins.values():
        if not pin.hashes:  # pip --require-hashes refuses the whole lock
            raise AssertionError(f"{lock_file.name} pins {pin.name} without a --hash")
        dist = installed_in_test_virtualenv(pin.name)
        if Version(dist.version) != Version(pin.version):
            raise AssertionError(f"{lock_file.name} pins {pin.name}=={pin.version} but the test virtualenv has "
                                 f"{dist.version}: run `python3 dev.py test` (it installs requirements-dev.lock)")
        for entry in _top_level_entries(dist):
            if entry in owners:  # a namespace package shared by two distributions would need merging
                raise ValueError(f"{pin.name} and {owners[entry]} both install {entry}")
            source = Path(str(dist.locate_file(entry)))
            if source.exists():
                (site_packages / entry).symlink_to(source)
                owners[entry] = pin.name
    return pins


def _relocate(token: str, image: str, local: Path) -> str:
    """An argument naming the image's venv (``/opt/jifen/...`` or ``--opt=/opt/jifen/...``), pointed at ours."""
    return re.sub(rf"(?:(?<==)|^){re.escape(image)}(?=/|$)", str(local), token)


def build_runtime(workdir: Path) -> Runtime:
    stages = dockerfile_stages()
    build, final = stages[0], stages[-1]
    steps = build_steps(build)
    check_replayable(steps)
    started = time.monotonic()

    context = workdir / "context"
    build_context(build, context)

    # RUN python -m venv --without-pip /opt/jifen
    image_prefix = PurePosixPath(steps.venv)
    prefix = workdir / image_prefix.relative_to("/")
    subprocess.run([sys.executable, "-m", "venv", *steps.venv_options, str(prefix)], check=True, timeout=60)
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))

    # RUN pip --python /opt/jifen/bin/python install --require-hashes ... -r requirements.lock
    [lock_path] = steps.lock.values("--requirement")
    pins = link_lock(in_context(build, context, lock_path), site_packages)

    # RUN pip --python /opt/jifen/bin/python install --no-deps --no-build-isolation ... .
    argv = [sys.executable, "-m", "pip", *(_relocate(a, steps.venv, prefix) for a in steps.project.argv[1:])]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_")) and k != "VIRTUAL_ENV"}
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1", "PIP_NO_INPUT": "1"}
    done = subprocess.run(argv, cwd=context, env=env, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    if done.returncode != 0:
        raise AssertionError(f"the project's install failed (offline, with the locked build backend):\n"
                             f"{(done.stdout + done.stderr)[-6000:]}")

    # COPY --from=build /opt/jifen /opt/jifen
    [copy_from] = [c for c in final.copies() if c.from_stage is not None]
    if (copy_from.from_stage not in (build.name, "0") or copy_from.sources != (steps.venv,)
            or copy_from.dest.rstrip("/") != steps.venv):
        raise ValueError(f"expected COPY --from={build.name} {steps.venv} {steps.venv} (a venv cannot move: its "
                         f"scripts name its path), got {copy_from}")
    return Runtime(prefix, image_prefix, site_packages, pins, time.monotonic() - started)


def requirement_closure(requirements: list[str], path: list[str]) -> tuple[dict[str, str], list[str]]:
    """The distributions installed in ``path`` that these requirements need, recursively (extras and markers
    honoured), as ``name -> version``; and the problems: a requirement missing or at a version outside its range."""
    found: dict[str, str] = {}
    problems: list[str] = []
    todo: list[tuple[str, str, str]] = [(text, "", "jifen") for text in requirements]
    seen: set[tuple[str, str]] = set()
    while todo:
        text, extra, needed_by = todo.pop()
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, ",".join(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        dists = list(importlib.metadata.distributions(name=name, path=path))
        if len(dists) != 1:
            problems.append(f"{needed_by} requires {requirement}: {len(dists)} installed")
            continue
        dist = dists[0]
        if not requirement.specifier.contains(dist.version, prereleases=True):
            problems.append(f"{needed_by} requires {requirement}, {dist.version} is installed")
        found[name] = dist.version
        for extra_name in ("", *requirement.extras):
            todo.extend((r, extra_name, name) for r in dist.requires or ())
    return found, problems
