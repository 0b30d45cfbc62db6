"""Readers for deploy/: the Dockerfile (with .dockerignore and requirements.lock, which it installs), compose.yaml
and the systemd unit, parsed the way their tools read them.

The tests take every command, path, port and variable from these files instead of repeating them, so an edit to a
deploy file is what the tests exercise. Only what the files use is supported (e.g. no Dockerfile heredocs or ARG
substitution, one command per RUN, ``$NAME`` in ENV only); anything else fails loudly rather than being misread.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "jifen.service"
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"  # what the image installs (python3 dev.py lock)
TOOLS_LOCK = ROOT / "requirements-tools.lock"  # the base image's pip and setuptools, replaced first
DOCKERIGNORE = ROOT / ".dockerignore"

ENV_NAME_RE = re.compile(r"\bJIFEN_[A-Z0-9_]+\b")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_INTERPOLATION_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<rest>[^}]*)\}$")
_ENV_REFERENCE_RE = re.compile(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<name>[A-Za-z_][A-Za-z0-9_]*))")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The stage's ENV values. Without ``base`` as written (``$PATH`` left as is); with ``base`` (the base
        image's environment) ``$NAME``/``${NAME}`` expanded the way Docker does, from the values set before the
        instruction or else from ``base``."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            scope = values if base is None else {**base, **values}  # one ENV sees the values before it
            assigned: dict[str, str] = {}
            tokens = shlex.split(instruction.args)
            if tokens and "=" not in tokens[0]:  # legacy form: ENV NAME value with spaces
                assigned[tokens[0]] = " ".join(tokens[1:])
            else:
                for token in tokens:
                    name, sep, value = token.partition("=")
                    if not sep:
                        raise ValueError(f"cannot read ENV {instruction.args!r}")
                    assigned[name] = value
            if base is not None:
                assigned = {name: _expand(value, scope) for name, value in assigned.items()}
            values |= assigned
        return values

    def runs(self) -> list[tuple[int, list[str]]]:
        """Each RUN as (index in ``instructions``, argv): one simple command per RUN, shell or exec form."""
        result = []
        for index, instruction in enumerate(self.instructions):
            if instruction.keyword != "RUN":
                continue
            args = instruction.args.strip()
            argv = list(json.loads(args)) if args.startswith("[") else shlex.split(args)
            if any(token in ("&&", "||", ";", "|", ">", "<") for token in argv) or args.startswith("--"):
                raise ValueError(f"only one plain command per RUN can be read: {args!r}")
            result.append((index, argv))
        return result

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


def _expand(value: str, scope: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match["name"] or match["braced"]
        if not _NAME_RE.fullmatch(name):
            raise ValueError(f"ENV substitution {match[0]!r} is not supported here")
        if name not in scope:
            raise ValueError(f"ENV uses ${name}, which neither the stage nor the given base environment sets")
        return scope[name]

    return _ENV_REFERENCE_RE.sub(replace, value)


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


# ------------------------------------------------------------------------------ the build stage's commands

# pip options that take a value (``--opt value`` or ``--opt=value``); every other option is a flag.
_PIP_VALUE_OPTIONS = {"-r": "--requirement", "--requirement": "--requirement", "-c": "--constraint",
                      "--constraint": "--constraint", "--python": "--python", "--only-binary": "--only-binary",
                      "--no-binary": "--no-binary", "--prefix": "--prefix", "--root": "--root", "-t": "--target",
                      "--target": "--target", "-i": "--index-url", "--index-url": "--index-url",
                      "--extra-index-url": "--extra-index-url", "-f": "--find-links", "--find-links": "--find-links"}


@dataclass(frozen=True)
class PipInstall:
    """``pip [options] install [options] [targets]`` as written in a RUN."""

    index: int  # of the RUN in the stage's instructions
    argv: tuple[str, ...]
    flags: frozenset[str]
    options: tuple[tuple[str, str], ...]  # (long name, value), in order
    targets: tuple[str, ...]  # positional arguments after `install`

    def values(self, name: str) -> list[str]:
        return [value for option, value in self.options if option == name]

    @property
    def python(self) -> str | None:
        found = self.values("--python")
        return found[-1] if found else None


@dataclass(frozen=True)
class BuildSteps:
    """The build stage's RUNs: the base image's pip and setuptools replaced from their lock, ``python -m venv
    OPTIONS DIR``, the lock's install, the project's install."""

    venv_index: int
    venv: str
    venv_options: tuple[str, ...]
    lock: PipInstall  # pip install ... -r requirements.lock
    project: PipInstall  # pip install ... .
    tools: PipInstall  # pip install ... -r requirements-tools.lock (into the base interpreter)


def tools_installs(stage: Stage) -> list[PipInstall]:
    """The stage's ``pip install -r <...>/requirements-tools.lock`` RUNs."""
    found = []
    for index, argv in stage.runs():
        if argv[:1] in (["pip"], ["pip3"]):
            pip = parse_pip_install(index, argv)
            if any(PurePosixPath(r).name == TOOLS_LOCK.name for r in pip.values("--requirement")):
                found.append(pip)
    return found


def parse_pip_install(index: int, argv: list[str]) -> PipInstall:
    if not argv or argv[0] not in ("pip", "pip3"):
        raise ValueError(f"not a pip command: {argv}")
    flags: set[str] = set()
    options: list[tuple[str, str]] = []
    positional: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if token.startswith("-") and token != "-":
            name, sep, value = token.partition("=")
            long_name = _PIP_VALUE_OPTIONS.get(name)
            if long_name is None:
                if sep:
                    raise ValueError(f"pip option {token!r} is not known to take a value")
                flags.add(name)
            else:
                options.append((long_name, value if sep else next(tokens)))
        else:
            positional.append(token)
    if positional[:1] != ["install"]:
        raise ValueError(f"expected `pip ... install ...`, got {argv}")
    return PipInstall(index, tuple(argv), frozenset(flags), tuple(options), tuple(positional[1:]))


def build_steps(stage: Stage) -> BuildSteps:
    """Read the build stage's RUNs; any RUN other than these three cannot be replayed and is refused."""
    venvs: list[tuple[int, list[str]]] = []
    locks: list[PipInstall] = []
    projects: list[PipInstall] = []
    tools: list[PipInstall] = []
    for index, argv in stage.runs():
        if argv[:3] in (["python", "-m", "venv"], ["python3", "-m", "venv"]):
            venvs.append((index, argv))
            continue
        pip = parse_pip_install(index, argv)
        if any(PurePosixPath(r).name == TOOLS_LOCK.name for r in pip.values("--requirement")):
            tools.append(pip)
        elif pip.values("--requirement"):
            locks.append(pip)
        elif pip.targets == (".",):
            projects.append(pip)
        else:
            raise ValueError(f"a pip install of neither a lock nor the project: {argv}")
    if len(venvs) != 1 or len(locks) != 1 or len(projects) != 1 or len(tools) != 1:
        raise ValueError("expected one `pip install -r requirements-tools.lock`, one `python -m venv DIR`, one "
                         "`pip install -r LOCK` and one `pip install .` in the build stage, got "
                         f"{len(tools)}, {len(venvs)}, {len(locks)}, {len(projects)}")
    [(venv_index, venv_argv)] = venvs
    if len(venv_argv) < 4 or venv_argv[-1].startswith("-"):
        raise ValueError(f"cannot read {venv_argv}")
    return BuildSteps(venv_index, venv_argv[-1], tuple(venv_argv[3:-1]), locks[0], projects[0], tools[0])


# ------------------------------------------------------------------------------------------- .dockerignore


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go's filepath.Match plus ``**``) as a regex over slash-separated paths."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i + 1)
            out, i = out + pattern[i:end + 1], end + 1  # Go negates a class with ^, as regexes do
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignore_rules(text: str | None = None) -> list[tuple[bool, re.Pattern[str]]]:
    """(is an exception ``!pattern``, regex) per line, in order: the last matching rule decides."""
    rules = []
    for raw in (DOCKERIGNORE.read_text(encoding="utf-8") if text is None else text).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = str(PurePosixPath("/" + line.lstrip("!").strip()))[1:] or "."
        rules.append((negated, _dockerignore_regex(pattern)))
    return rules


def dockerignored(path: str, rules: list[tuple[bool, re.Pattern[str]]] | None = None) -> bool:
    """Whether Docker leaves ``path`` (relative to the context root) out of the build context: a pattern excludes
    the path it matches and everything under it."""
    rules = dockerignore_rules() if rules is None else rules
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negated, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


# ---------------------------------------------------------------------------------------- requirements.lock


@dataclass(frozen=True)
class LockPin:
    name: str  # canonical
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self, environment: dict[str, str] | None = None) -> bool:
        """Whether pip installs this pin on the interpreter (by default: the one running the tests)."""
        return self.marker is None or self.marker.evaluate(environment)


def lock_pins(text: str | None = None) -> dict[str, LockPin]:
    """``name -> LockPin`` of a hashed lock (``name==version [; marker] --hash=...``); any other line fails."""
    pins: dict[str, LockPin] = {}
    for line in _logical_lines(LOCK.read_text(encoding="utf-8") if text is None else text):
        spec, _, rest = line.partition(" --hash=")
        hash_tokens = ("--hash=" + rest).split() if rest else []
        if spec.lstrip().startswith("-") or not all(token.startswith("--hash=") for token in hash_tokens):
            raise ValueError(f"not a hashed pin: {line!r}")
        requirement = Requirement(spec.strip())
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or requirement.url or requirement.extras:
            raise ValueError(f"not an exact pin: {spec.strip()!r}")
        [specifier] = specifiers
        name = canonicalize_name(requirement.name)
        if name in pins:
            raise ValueError(f"{name} is pinned twice")
        pins[name] = LockPin(name, specifier.version, requirement.marker,
                             tuple(token.removeprefix("--hash=") for token in hash_tokens))
    return pins


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
