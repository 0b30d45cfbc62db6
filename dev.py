#!/usr/bin/env python3
"""One-command set-up for newcomers and CI: ``python3 dev.py chat`` / ``python3 dev.py test``.

Why a script and not a Makefile: a fresh machine is only promised Python 3.11+, so the bootstrap
itself must be Python. It creates ``.venv`` beside this file and installs exactly what
``requirements-dev.lock`` pins, every file checked against its hash (again whenever the lock or
``pyproject.toml`` changes), then the project itself without touching the index; then it runs the
requested action inside the venv. Installing from the lock is what keeps a fresh clone green on a
day when a new mypy or redis is released.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".jifen-installed"
DEV_LOCK = ROOT / "requirements-dev.lock"  # everything: runtime, dev tools, uv, setuptools (dev.py, CI)
RUNTIME_LOCK = ROOT / "requirements.lock"  # runtime and setuptools only (deploy/Dockerfile)
TOOLS_LOCK = ROOT / "requirements-tools.lock"  # pip and setuptools of the image's base interpreter (deploy/Dockerfile)
LOCK_PYTHON = "3.11"  # the oldest Python the README names; uv's --universal lock also serves every newer one
FAST = "not slow"  # `dev.py test --fast`: the pytest marker expression


def _run(*cmd: str | Path) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _require_debian_packages(packages: list[str], needed_by: str) -> None:
    """Install missing Debian packages as root; otherwise stop with one line that names them."""
    if not packages:
        return
    names = " ".join(packages)
    apt = shutil.which("apt-get")
    if apt and _is_root():
        print(f"Installing {names} from Debian's packages ...", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.call([apt, "update", "-qq"], env=env)
        subprocess.check_call([apt, "install", "-y", "-qq", *packages], env=env)
        return
    sys.exit(f"{needed_by} needs the Debian package(s) {names}: run `sudo apt-get install {names}` and try again.")


def _venv_package() -> list[str]:
    """Debian leaves ``ensurepip`` (so ``venv`` with pip) to its separate pythonX.Y-venv package."""
    if importlib.util.find_spec("ensurepip") is not None:
        return []
    return [f"python{sys.version_info.major}.{sys.version_info.minor}-venv"]


def _wanted_stamp() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", DEV_LOCK):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain itself on an old Python
        sys.exit("jifen needs Python 3.11 or newer")
    wanted = _wanted_stamp()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        _require_debian_packages(_venv_package(), "Creating .venv")
        print("Creating .venv ...", flush=True)
        shutil.rmtree(VENV, ignore_errors=True)  # a half-made venv from an earlier failure
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    print(f"Installing jifen and the exact versions of {DEV_LOCK.name} into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.check_call([*pip, "--require-hashes", "-r", str(DEV_LOCK)], cwd=ROOT)
    # The build backend (setuptools) came from the lock too, so the project builds without the index. Its warning
    # that an editable install prefers same-named folders is about layouts unlike ours: kept off a newcomer's screen.
    subprocess.check_call([*pip, "--no-deps", "--no-build-isolation", "-e", "."], cwd=ROOT,
                          env=os.environ | {"PYTHONWARNINGS": "ignore"})
    STAMP.write_text(wanted)


def _lock() -> int:
    """Re-resolve the compatible ranges of pyproject.toml into the two hashed lock files."""
    _ensure_venv()
    build_requires = "\n".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"])
    common = ["pip", "compile", "--universal", "--python-version", LOCK_PYTHON, "--generate-hashes",
              "--custom-compile-command", "python3 dev.py lock", "--quiet", "pyproject.toml", "-"]
    uv = str(BIN / "uv")
    for extra, output in ((["--extra", "dev"], DEV_LOCK), (["--constraint", DEV_LOCK.name], RUNTIME_LOCK)):
        done = subprocess.run([uv, *common, *extra, "--output-file", output.name], cwd=ROOT,
                              input=build_requires, text=True, check=False)
        if done.returncode:
            return done.returncode
    # The base image's own pip and setuptools (replaced before anything is installed); setuptools as in the others.
    tools = [uv, *[c for c in common if c != "pyproject.toml"], "--constraint", DEV_LOCK.name,
             "--output-file", TOOLS_LOCK.name]
    done = subprocess.run(tools, cwd=ROOT, input="pip\nsetuptools\n", text=True, check=False)
    if done.returncode:
        return done.returncode
    print(f"Wrote {DEV_LOCK.name}, {RUNTIME_LOCK.name} and {TOOLS_LOCK.name}; commit all three.")
    return 0


def _test(rest: list[str]) -> int:
    _ensure_venv()
    missing = [] if shutil.which("redis-server") else ["redis-server"]
    _require_debian_packages(missing, "The test suite (it starts its own redis-server)")
    pytest_args = rest
    if rest[:1] == ["--fast"]:
        pytest_args = ["-m", FAST, *rest[1:]]
    steps: list[list[str | Path]] = [
        [BIN / "ruff", "check", "."],
        [BIN / "mypy", "."],
        [BIN / "python", "-m", "pytest", *pytest_args],
    ]
    for step in steps:
        print("$", " ".join(Path(str(s)).name if i == 0 else str(s) for i, s in enumerate(step)), flush=True)
        code = _run(*step)
        if code:
            return code
    return 0


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "help"
    rest = argv[1:]
    if action == "chat":
        _ensure_venv()
        return _run(BIN / "jifen", "chat", *rest)
    if action == "test":
        return _test(rest)
    if action == "lock":
        return _lock()
    if action == "jifen":
        _ensure_venv()
        return _run(BIN / "jifen", *rest)
    if action == "bench":
        _ensure_venv()
        return _run(BIN / "python", "-m", "bench", *rest)
    print("usage: python3 dev.py chat | test [--fast] [pytest args] | lock | jifen ARGS | bench")
    return 0 if action in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
