"""The container image, reproduced without Docker: the Dockerfile's build stage run as written, its result copied
into a fresh interpreter prefix the way the final stage does, with nothing of the source tree on ``sys.path``.

Steps, each taken from deploy/Dockerfile:

1. a build context holding only what the build stage ``COPY``s (to its WORKDIR);
2. the build stage's ``RUN pip install ... --prefix=/install .`` in that context — the same pip options and build
   isolation (pip fetches the build backend from the package index, as ``docker build`` does), plus ``--no-deps``
   and the prefix moved into a temporary directory;
3. ``COPY --from=build /install /usr/local``: the prefix copied into a new venv that stands for the python image's
   ``/usr/local`` (the venv's ``bin/python`` is the image's ``python``, its site-packages ``/usr/local/lib/...``).

The third-party dependencies are not downloaded: the runtime sees exactly the distributions that the built wheel's
``Requires-Dist`` (with extras and markers) pulls in, taken from the test virtualenv — each requirement checked
against its version specifier, and nothing else visible (no pytest, no editable ``jifen``), so an import of an
undeclared package fails here as it would in the image.
"""

from __future__ import annotations

import importlib.metadata
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import Requirement

from tests.deploy.deployfiles import ROOT, Stage, dockerfile_stages

PIP_TIMEOUT_S = 240
_NETWORK_ERRORS = ("Could not find a version that satisfies the requirement setuptools", "NewConnectionError",
                   "Temporary failure in name resolution", "Network is unreachable", "No matching distribution found")


class IndexUnreachable(RuntimeError):
    """pip could not fetch the build backend: the only step that needs the network."""


@dataclass(frozen=True)
class Runtime:
    prefix: Path  # stands for the image's /usr/local
    site_packages: Path
    deps: Path  # symlinks to the dependency closure
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


def build_context(build: Stage, context: Path) -> None:
    """Copy what the build stage COPYs from the repository, to the same places relative to its WORKDIR."""
    workdir = PurePosixPath(build.workdir())
    for copy in build.copies():
        if copy.from_stage is not None:
            continue
        dest = PurePosixPath(copy.dest)
        target_dir = context / (dest.relative_to(workdir) if dest.is_absolute() else dest)
        for source in copy.sources:
            src = ROOT / source
            if not src.exists():
                raise FileNotFoundError(f"the Dockerfile COPYs {source}, which is not in the repository")
            if src.is_dir():  # Docker copies the directory's contents into dest
                shutil.copytree(src, target_dir, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif copy.dest.endswith("/") or len(copy.sources) > 1:
                target_dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target_dir / src.name)
            else:
                target_dir.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target_dir)


def pip_install_argv(build: Stage) -> tuple[list[str], str]:
    """The build stage's ``pip install`` arguments (after ``pip``) and its ``--prefix``."""
    runs = [shlex.split(run.args) for run in build.all("RUN")]
    [argv] = [a for a in runs if a[:2] in (["pip", "install"], ["pip3", "install"])]
    prefixes = [a.split("=", 1)[1] for a in argv if a.startswith("--prefix=")]
    if len(prefixes) != 1 or argv[-1] != ".":
        raise ValueError(f"expected `pip install --prefix=DIR .` in the build stage, got {argv}")
    return argv[1:], prefixes[0]


def _top_level_entries(dist: importlib.metadata.Distribution) -> set[str]:
    """The names a distribution puts directly into site-packages (packages, modules, its .dist-info)."""
    entries = set()
    for file in dist.files or ():
        first = file.parts[0]
        if first not in ("..", "__pycache__") and not first.endswith(".pth"):
            entries.add(first)
    return entries


def dependency_closure(requirements: list[str]) -> dict[str, importlib.metadata.Distribution]:
    """The installed distributions these requirements need, recursively (extras and markers honoured)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo: list[tuple[str, str]] = [(r, "") for r in requirements]
    seen: set[tuple[str, str]] = set()
    while todo:
        text, extra = todo.pop()
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        key = (requirement.name.lower().replace("_", "-"), ",".join(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        dist = importlib.metadata.distribution(requirement.name)
        if not requirement.specifier.contains(dist.version, prereleases=True):
            raise AssertionError(f"{requirement} is required but the test environment has {dist.version}")
        found[key[0]] = dist
        for extra_name in ("", *requirement.extras):
            todo.extend((r, extra_name) for r in dist.requires or ())
    return found


def build_runtime(workdir: Path) -> Runtime:
    stages = dockerfile_stages()
    build, final = stages[0], stages[-1]
    started = time.monotonic()

    context = workdir / "context"
    build_context(build, context)

    # The final stage's interpreter (python:3.11-slim's /usr/local): a venv of the same Python, nothing installed.
    prefix = workdir / "usr-local"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True, timeout=60)
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))

    # pip itself, visible to the pip process only (pip writes that interpreter into the `jifen` script's #! line,
    # as pip in the build stage writes /usr/local/bin/python).
    pip_only = workdir / "pip-only"
    pip_only.mkdir()
    (pip_only / "pip").symlink_to(Path(str(importlib.metadata.distribution("pip").locate_file("pip"))))
    install_args, image_prefix = pip_install_argv(build)
    stage_dir = workdir / "install"
    install_args = [f"--prefix={stage_dir}" if a.startswith("--prefix=") else a for a in install_args]
    install_args.insert(-1, "--no-deps")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    env |= {"PYTHONPATH": str(pip_only), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run([str(prefix / "bin" / "python"), "-m", "pip", *install_args], cwd=context, env=env,
                          capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(marker in output for marker in _NETWORK_ERRORS):
            raise IndexUnreachable(output[-3000:])
        raise AssertionError(f"pip install of the build context failed:\n{output[-6000:]}")

    # COPY --from=build /install /usr/local
    [copy_from] = [c for c in final.copies() if c.from_stage is not None]
    if (copy_from.from_stage not in (build.name, "0") or copy_from.sources != (image_prefix,)
            or copy_from.dest.rstrip("/") != "/usr/local"):
        raise ValueError(f"expected COPY --from=... {image_prefix} /usr/local, got {copy_from}")
    shutil.copytree(stage_dir, prefix, dirs_exist_ok=True, symlinks=True)

    # The dependencies the wheel declares, and only those.
    [jifen] = importlib.metadata.distributions(path=[str(site_packages)], name="jifen")
    deps = workdir / "deps"
    deps.mkdir()
    for dist in dependency_closure(list(jifen.requires or ())).values():
        for entry in _top_level_entries(dist):
            source = Path(str(dist.locate_file(entry)))
            if source.exists() and not (deps / entry).exists():
                (deps / entry).symlink_to(source)
    (site_packages / "_jifen_test_deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return Runtime(prefix, site_packages, deps, time.monotonic() - started)
