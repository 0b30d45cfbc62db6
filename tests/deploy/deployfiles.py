"""Readers for deploy/: the Dockerfile, compose.yaml and the systemd unit, parsed the way their tools read them.

The tests take every command, path, port and variable from these files instead of repeating them, so an edit to a
deploy file is what the tests exercise. Only what the files use is supported (e.g. no Dockerfile heredocs or ARG
substitution); anything else fails loudly rather than being misread.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "jifen.service"
PYPROJECT = ROOT / "pyproject.toml"

ENV_NAME_RE = re.compile(r"\bJIFEN_[A-Z0-9_]+\b")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_INTERPOLATION_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<rest>[^}]*)\}$")


# ------------------------------------------------------------------------------------------------- settings


def settings_env_names() -> set[str]:
    """Every variable ``Settings`` reads: ``JIFEN_`` + the field name in upper case."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def secret_env_names() -> set[str]:
    """The settings that hold secrets (typed ``SecretStr``): they must never be written into a deploy file."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return {f"{prefix}{name}".upper() for name, field in Settings.model_fields.items()
            if "SecretStr" in repr(field.annotation)}


def pyproject() -> dict[str, Any]:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def duration_seconds(text: str) -> float:
    """A Docker duration (``30s``, ``1m30s``, ``500ms``) in seconds."""
    parts = _DURATION_RE.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


# ----------------------------------------------------------------------------------------------- Dockerfile


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case
    args: str  # the rest of the logical line, continuations joined


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    dest: str
    from_stage: str | None


@dataclass(frozen=True)
class Healthcheck:
    options: dict[str, str]  # "interval" -> "30s"
    shell_command: str  # CMD-SHELL form: run as /bin/sh -c <command>

    def seconds(self, option: str, default: str) -> float:
        return duration_seconds(self.options.get(option, default))


@dataclass(frozen=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            tokens = shlex.split(instruction.args)
            if tokens and "=" not in tokens[0]:  # legacy form: ENV NAME value with spaces
                values[tokens[0]] = " ".join(tokens[1:])
                continue
            for token in tokens:
                name, sep, value = token.partition("=")
                if not sep:
                    raise ValueError(f"cannot read ENV {instruction.args!r}")
                values[name] = value
        return values

    def copies(self) -> list[Copy]:
        result = []
        for instruction in self.all("COPY"):
            args = instruction.args.strip()
            flags: dict[str, str] = {}
            tokens = shlex.split(args)
            while tokens and tokens[0].startswith("--"):
                name, _, value = tokens.pop(0)[2:].partition("=")
                flags[name] = value
            if tokens and tokens[0].startswith("["):
                tokens = json.loads(" ".join(tokens))
            if len(tokens) < 2:
                raise ValueError(f"COPY needs a source and a destination: {args!r}")
            result.append(Copy(tuple(tokens[:-1]), tokens[-1], flags.get("from")))
        return result

    def workdir(self) -> str:
        workdir = self.last("WORKDIR")
        return "/" if workdir is None else workdir.args.strip()

    def user(self) -> str | None:
        user = self.last("USER")
        return None if user is None else user.args.strip()

    def exposed_ports(self) -> list[int]:
        return [int(port.split("/")[0]) for i in self.all("EXPOSE") for port in i.args.split()]

    def cmd(self) -> list[str]:
        cmd = self.last("CMD")
        if cmd is None:
            raise ValueError("the stage has no CMD")
        args = cmd.args.strip()
        return list(json.loads(args)) if args.startswith("[") else ["/bin/sh", "-c", args]

    def healthcheck(self) -> Healthcheck:
        found = self.last("HEALTHCHECK")
        if found is None:
            raise ValueError("the stage has no HEALTHCHECK")
        match = re.fullmatch(r"\s*(?P<options>(?:--[a-z-]+=\S+\s+)*)CMD\s+(?P<command>.+)", found.args, re.DOTALL)
        if match is None:
            raise ValueError(f"cannot read HEALTHCHECK {found.args!r}")
        options = dict(option[2:].split("=", 1) for option in match["options"].split())
        command = match["command"].strip()
        if command.startswith("["):  # exec form: turn it into the equivalent shell command
            command = shlex.join(json.loads(command))
        return Healthcheck(options, command)


def _logical_lines(text: str) -> list[str]:
    """Instruction lines as the Docker parser sees them: comments dropped, ``\\`` continuations joined."""
    lines: list[str] = []
    current: str | None = None
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") or (current is None and not raw.strip()):
            continue
        part = raw.rstrip()
        continued = part.endswith("\\")
        if continued:
            part = part[:-1]
        current = part if current is None else current + part
        if not continued:
            lines.append(current)
            current = None
    if current is not None:
        lines.append(current)
    return lines


def dockerfile_stages(text: str | None = None) -> list[Stage]:
    stages: list[Stage] = []
    base: str | None = None
    name: str | None = None
    instructions: list[Instruction] = []
    for line in _logical_lines(DOCKERFILE.read_text(encoding="utf-8") if text is None else text):
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            if base is not None:
                stages.append(Stage(base, name, tuple(instructions)))
            tokens = args.split()
            base, instructions = tokens[0], []
            name = tokens[2] if len(tokens) == 3 and tokens[1].upper() == "AS" else None
        elif base is None:
            raise ValueError(f"{keyword} before the first FROM")
        else:
            instructions.append(Instruction(keyword, args))
    if base is None:
        raise ValueError("no FROM in the Dockerfile")
    stages.append(Stage(base, name, tuple(instructions)))
    return stages


# ------------------------------------------------------------------------------------------------- compose


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError("compose.yaml is not a mapping")
    return loaded


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's ``environment`` (mapping or ``KEY=VALUE`` list form) as a dict of strings."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {k: v for k, _, v in (str(item).partition("=") for item in env)}
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def interpolation(value: str) -> tuple[str, str | None] | None:
    """``${NAME:?message}`` -> ("NAME", ":?"); a literal value -> None."""
    match = _INTERPOLATION_RE.match(value)
    return None if match is None else (match["name"], match["op"])


# ------------------------------------------------------------------------------------------------- systemd


def unit_sections(text: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as section -> [(key, value)], keeping repeated keys (``Environment=`` may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    pending = ""
    for raw in (UNIT.read_text(encoding="utf-8") if text is None else text).splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        if current is None or "=" not in line:
            raise ValueError(f"cannot read unit line {raw!r}")
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def unit_values(sections: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in sections.get(section, []) if k == key]


def unit_environment(sections: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """The ``Environment=`` assignments of [Service] (each line may hold several quoted ``K=V`` words)."""
    env: dict[str, str] = {}
    for value in unit_values(sections, "Service", "Environment"):
        for word in shlex.split(value):
            name, _, assigned = word.partition("=")
            env[name] = assigned
    return env


def exec_start_argv(sections: dict[str, list[tuple[str, str]]]) -> list[str]:
    [exec_start] = unit_values(sections, "Service", "ExecStart")
    return shlex.split(exec_start.lstrip("-@+!:"))  # drop systemd's prefix characters
