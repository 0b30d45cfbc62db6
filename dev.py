#!/usr/bin/env python3
"""One-command set-up for newcomers and CI: ``python3 dev.py chat`` / ``python3 dev.py test``.

Why a script and not a Makefile: a fresh machine is only promised Python 3.11+, so the bootstrap
itself must be Python. It creates ``.venv`` beside this file, installs the project with its dev
extras once (again whenever ``pyproject.toml`` changes), then runs the requested action inside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".jifen-installed"


def _run(*cmd: str | Path) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def _ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain itself on an old Python
        sys.exit("jifen needs Python 3.11 or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    print("Installing jifen and its dependencies into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.check_call([*pip, "-U", "pip"])
    subprocess.check_call([*pip, "-e", ".[dev]"], cwd=ROOT)
    STAMP.write_text(wanted)


def _ensure_redis_server() -> None:
    """The Redis tests start their own ``redis-server``; install Debian's package when we can."""
    if shutil.which("redis-server"):
        return
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Installing redis-server from Debian's packages ...", flush=True)
        subprocess.call([apt, "update", "-qq"])
        subprocess.check_call([apt, "install", "-y", "-qq", "redis-server"])
        return
    sys.exit("The test suite needs the redis-server program: install it (e.g. apt-get install redis-server).")


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "help"
    rest = argv[1:]
    if action == "chat":
        _ensure_venv()
        return _run(BIN / "jifen", "chat", *rest)
    if action == "test":
        _ensure_venv()
        _ensure_redis_server()
        steps: list[list[str | Path]] = [
            [BIN / "ruff", "check", "."],
            [BIN / "mypy", "."],
            [BIN / "python", "-m", "pytest", *rest],
        ]
        for step in steps:
            print("$", " ".join(Path(str(s)).name if i == 0 else str(s) for i, s in enumerate(step)), flush=True)
            code = _run(*step)
            if code:
                return code
        return 0
    if action == "jifen":
        _ensure_venv()
        return _run(BIN / "jifen", *rest)
    if action == "bench":
        _ensure_venv()
        return _run(BIN / "python", "-m", "bench", *rest)
    print("usage: python3 dev.py chat | test [pytest args] | jifen ARGS | bench")
    return 0 if action in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
