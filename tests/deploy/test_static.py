"""What Docker and compose would only reveal at deploy time, checked from the files: names, ports, users, secrets,
and that the image installs only what requirements.lock pins, with hashes, building the project offline.

Every ``JIFEN_*`` name in a deploy file must be a field of ``bot.settings.Settings`` (a renamed setting would
otherwise be silently ignored in production), and no secret may be written into a file that is committed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.channels.telegram.webhook import HEALTH_PATH
from tests.deploy.deployfiles import (
    COMPOSE,
    DEPLOY,
    DOCKERFILE,
    ENV_NAME_RE,
    LOCK,
    ROOT,
    TOOLS_LOCK,
    UNIT,
    BuildSteps,
    Stage,
    build_steps,
    compose,
    dockerfile_stages,
    dockerignored,
    interpolation,
    lock_pins,
    pyproject,
    secret_env_names,
    service_environment,
    settings_env_names,
    tools_installs,
)

SETUPTOOLS_WITH_LICENSE_EXPRESSIONS = Version("77")  # PEP 639 `license = "MIT"`; older versions reject it


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return dockerfile_stages()


@pytest.fixture(scope="module")
def steps(stages: list[Stage]) -> BuildSteps:
    return build_steps(stages[0])


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded: dict[str, Any] = compose()["services"]
    return loaded


# ---------------------------------------------------------------------------------------------- all files


@pytest.mark.parametrize("path", [DOCKERFILE, COMPOSE, UNIT, DEPLOY / "README.md"], ids=lambda p: p.name)
def test_every_jifen_variable_named_in_deploy_files_is_a_setting(path: Path) -> None:
    named = set(ENV_NAME_RE.findall(path.read_text(encoding="utf-8")))
    assert named - settings_env_names() == set()


# ---------------------------------------------------------------------------------------------- Dockerfile


def test_both_stages_use_one_python_that_the_project_supports(stages: list[Stage]) -> None:
    """The venv made in one stage runs in the other: its python links to the base image's interpreter."""
    assert len(stages) >= 2
    build, final = stages[0], stages[-1]
    assert build.base == final.base
    match = re.fullmatch(r"python:(\d+\.\d+)[\w.-]*", final.base)
    assert match is not None, final.base
    assert Version(match[1]) in SpecifierSet(pyproject()["project"]["requires-python"])


EXACT_PYTHON = re.compile(r"python:\d+\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?")
EXACT_REDIS = re.compile(r"redis:\d+\.\d+\.\d+-alpine(@sha256:[0-9a-f]{64})?")


def test_the_base_images_are_named_by_exact_versions(stages: list[Stage], services: dict[str, Any]) -> None:
    """``python:3.11-slim`` or ``redis:7-alpine`` move under the image: the same Dockerfile gives another image on
    another day. A patch version (and the Debian release) is fixed here; deploy/README.md says how to add the
    digest."""
    assert [stage.base for stage in stages if not EXACT_PYTHON.fullmatch(stage.base)] == []
    assert EXACT_REDIS.fullmatch(str(services["redis"]["image"])), services["redis"]["image"]


def test_the_base_images_pip_and_setuptools_are_replaced_from_their_lock_first(stages: list[Stage]) -> None:
    """In both stages, before anything else runs: the build stage's pip does the installing, and the final image
    ships pip and setuptools (a scanner reports the base image's old ones). Pinned with hashes, wheels only."""
    for stage in stages:
        [tools] = tools_installs(stage)
        assert tools.python is None  # the base interpreter, not the venv
        assert "--require-hashes" in tools.flags and tools.values("--only-binary") == [":all:"]
        assert tools.targets == () and not tools.values("--constraint")
        first_run = next(i for i, instruction in enumerate(stage.instructions) if instruction.keyword == "RUN")
        assert tools.index == first_run, "something runs before pip and setuptools are replaced"
        [requirements] = tools.values("--requirement")
        copied = [copy for copy in stage.copies() if copy.from_stage is None and copy.sources == (TOOLS_LOCK.name,)]
        workdir = PurePosixPath(stage.workdir())
        assert any(workdir / requirements in (workdir / c.dest, workdir / c.dest / TOOLS_LOCK.name)
                   for c in copied), f"-r {requirements} is not the COPY of {TOOLS_LOCK.name}"
    pins = lock_pins(TOOLS_LOCK.read_text(encoding="utf-8"))
    assert set(pins) == {"pip", "setuptools"}
    assert all(pin.hashes for pin in pins.values())
    assert pins["setuptools"].version == lock_pins()["setuptools"].version  # the one that builds the project


def test_the_deploy_readme_gives_the_digest_and_audit_commands() -> None:
    """Digests cannot be looked up from the development machine, nor vulnerabilities: the deployer runs both."""
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "docker buildx imagetools inspect" in text and "@sha256:" in text
    assert "pip-audit" in text and "--require-hashes" in text and "-r requirements.lock" in text


def test_build_stage_copies_every_package_and_the_project_files(stages: list[Stage]) -> None:
    build = stages[0]
    copied = {PurePosixPath(src).parts[0] for copy in build.copies() if copy.from_stage is None
              for src in copy.sources}
    config = pyproject()
    includes = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*").split(".")[0] for pattern in includes}
    assert packages and packages <= copied
    assert {"pyproject.toml", config["project"]["readme"]} <= copied
    assert all((ROOT / name).exists() for name in copied)


def _copy_index(stage: Stage, source: str) -> int:
    """The index in ``stage.instructions`` of the COPY that brings ``source`` from the build context."""
    copies = [i for i, instruction in enumerate(stage.instructions) if instruction.keyword == "COPY"]
    [found] = [index for index, copy in zip(copies, stage.copies(), strict=True)
               if copy.from_stage is None and source in copy.sources]
    return found


def test_the_lock_is_installed_with_hashes_from_wheels_only(stages: list[Stage], steps: BuildSteps) -> None:
    """Exact versions, each file checked against the lock's hashes, and no sdist: building one would fetch an
    unpinned build backend into an isolated environment (pip does not check build dependencies' hashes)."""
    lock = steps.lock
    assert "--require-hashes" in lock.flags
    assert lock.values("--only-binary") == [":all:"]
    [requirements] = lock.values("--requirement")
    workdir = PurePosixPath(stages[0].workdir())
    copied = [copy for copy in stages[0].copies() if copy.from_stage is None and copy.sources == (LOCK.name,)]
    assert [workdir / copy.dest for copy in copied] in ([workdir], [workdir / requirements]), \
        f"-r {requirements} is not the COPY of {LOCK.name}"
    assert lock.targets == (), "anything named besides the lock is installed unpinned"
    assert not lock.values("--constraint")
    assert all(pin.hashes for pin in lock_pins().values())


def test_the_project_is_built_offline_by_the_locked_backend(steps: BuildSteps) -> None:
    """--no-build-isolation: setuptools is the lock's, not whatever the index serves that day; --no-deps: pip
    resolves nothing; --no-index: a step that still needed the index would fail the build instead of fetching."""
    project = steps.project
    assert {"--no-build-isolation", "--no-deps", "--no-index"} <= project.flags
    assert "-e" not in project.flags and "--editable" not in project.flags
    pins = lock_pins()
    for text in pyproject()["build-system"]["requires"]:
        requirement = Requirement(text)
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None and pin.applies(), f"{LOCK.name} does not pin the build backend {requirement}"
        assert requirement.specifier.contains(pin.version), f"{LOCK.name} pins {pin.name}=={pin.version}"


def test_both_installs_go_into_a_venv_without_pip(steps: BuildSteps) -> None:
    """The venv's own pip would bring ensurepip's pip and setuptools, which no lock pins: the base image's pip
    installs into it from outside (--python), so it holds the lock and jifen and nothing else."""
    assert "--without-pip" in steps.venv_options
    python = str(PurePosixPath(steps.venv) / "bin" / "python")
    assert steps.lock.python == steps.project.python == python


def test_dependencies_are_installed_before_the_source_is_copied(stages: list[Stage], steps: BuildSteps) -> None:
    """Layer caching: a change to the code reuses the dependency layer; only a change to the lock reinstalls."""
    build = stages[0]
    assert steps.venv_index < _copy_index(build, LOCK.name) < steps.lock.index
    sources = [src for copy in build.copies() if copy.from_stage is None for src in copy.sources
               if src not in (LOCK.name, TOOLS_LOCK.name)]
    assert sources
    assert all(steps.lock.index < _copy_index(build, src) < steps.project.index for src in sources)


def test_the_final_stage_runs_the_build_stages_venv(stages: list[Stage], steps: BuildSteps) -> None:
    build, final = stages[0], stages[-1]
    [copy_from] = [copy for copy in final.copies() if copy.from_stage is not None]
    assert copy_from.from_stage in (build.name, "0")
    assert copy_from.sources == (steps.venv,)
    assert copy_from.dest.rstrip("/") == steps.venv, "a venv cannot move: its scripts and pyvenv.cfg name its path"
    base_path = "/usr/local/bin:/usr/bin:/bin"
    path = final.env(base={"PATH": base_path})["PATH"].split(":")
    assert path[0] == str(PurePosixPath(steps.venv) / "bin")  # CMD's `jifen` (and `python`) come from the venv
    assert path[1:] == base_path.split(":")  # and the rest of the base image's PATH is kept


def test_dockerignore_keeps_what_the_build_copies_and_drops_secrets_and_local_state(stages: list[Stage]) -> None:
    copied = [src for stage in stages for copy in stage.copies() if copy.from_stage is None for src in copy.sources]
    assert LOCK.name in copied
    assert [src for src in copied if dockerignored(src)] == []
    secret_files = [str((COMPOSE.parent / secret["file"]).resolve().relative_to(ROOT))
                    for secret in (compose().get("secrets") or {}).values() if "file" in secret]
    local_state = [".env", ".git/config", ".venv/bin/python", "bot/__pycache__/cli.cpython-311.pyc"]
    assert [path for path in secret_files + local_state if not dockerignored(path)] == []


def test_final_stage_runs_as_a_non_root_user_who_owns_the_data_dir(stages: list[Stage]) -> None:
    final = stages[-1]
    user = final.user()
    assert user is not None and user.split(":")[0] not in ("root", "0")
    [useradd] = [shlex.split(run.args) for run in final.all("RUN") if "useradd" in run.args]
    assert useradd[-1] == user.split(":")[0]
    uid = useradd[useradd.index("--uid") + 1] if "--uid" in useradd else None
    assert uid != "0"
    home = useradd[useradd.index("--home-dir") + 1]
    assert "--create-home" in useradd or "-m" in useradd
    assert final.env()["JIFEN_DATA_DIR"] == home  # the SQLite fallback can write there
    user_index = final.instructions.index(final.all("USER")[-1])
    assert all(i.keyword != "RUN" for i in final.instructions[user_index + 1:])


def test_port_listen_address_and_healthcheck_agree(stages: list[Stage]) -> None:
    final = stages[-1]
    env = final.env()
    port = int(env["JIFEN_TELEGRAM_WEBHOOK_PORT"])
    assert final.exposed_ports() == [port]
    assert env["JIFEN_TELEGRAM_WEBHOOK_LISTEN"] in ("0.0.0.0", "::")  # reachable from outside the container
    healthcheck = final.healthcheck()
    [url] = re.findall(r"https?://[^\s'\"]+", healthcheck.shell_command)
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.path) == ("127.0.0.1", port, HEALTH_PATH)
    assert healthcheck.seconds("timeout", "30s") < healthcheck.seconds("interval", "30s")


def test_cmd_is_the_webhook_command_in_exec_form(stages: list[Stage]) -> None:
    final = stages[-1]
    cmd_line = final.all("CMD")[-1].args.strip()
    assert cmd_line.startswith("["), "shell form would make /bin/sh PID 1 and swallow docker stop's SIGTERM"
    argv = final.cmd()
    assert argv[0] in pyproject()["project"]["scripts"]
    assert argv[1:] == ["telegram", "--webhook"]


def test_no_secret_is_baked_into_the_image(stages: list[Stage]) -> None:
    for stage in stages:
        assert set(stage.env()) & secret_env_names() == set()
        assert not [arg for arg in stage.all("ARG") if ENV_NAME_RE.search(arg.args)]


# ------------------------------------------------------------------------------------------------- pyproject


def test_build_backend_floor_accepts_the_license_expression() -> None:
    """setuptools < 77 rejects `license = "MIT"` (a PEP 639 expression) when it is the installed backend
    (e.g. `pip install --no-build-isolation .` with an older distro setuptools)."""
    config = pyproject()
    if not isinstance(config["project"].get("license"), str):
        pytest.skip("license is not a PEP 639 expression")
    [setuptools] = [Requirement(r) for r in config["build-system"]["requires"] if Requirement(r).name == "setuptools"]
    assert not setuptools.specifier.contains(Version("76.1.0")), \
        f"build-system requires {setuptools}: raise the floor to setuptools>={SETUPTOOLS_WITH_LICENSE_EXPRESSIONS}"


# --------------------------------------------------------------------------------------------------- compose


def test_compose_builds_this_dockerfile(services: dict[str, Any]) -> None:
    build = services["bot"]["build"]
    context = (COMPOSE.parent / build["context"]).resolve()
    assert context == ROOT
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE


def test_redis_persists_with_aof_on_a_volume_and_has_a_healthcheck(services: dict[str, Any]) -> None:
    redis = services["redis"]
    command = [str(part) for part in redis["command"]]
    assert command[command.index("--appendonly") + 1] == "yes"
    volumes = [str(v).split(":") for v in redis.get("volumes", [])]
    data_volumes = [v[0] for v in volumes if len(v) >= 2 and v[1] == "/data"]  # the redis image's working dir
    assert len(data_volumes) == 1
    assert data_volumes[0] in (compose().get("volumes") or {})
    test = [str(part) for part in redis["healthcheck"]["test"]]
    assert test[0] in ("CMD", "CMD-SHELL") and "ping" in " ".join(test)


def test_bot_waits_for_a_healthy_redis_and_runs_the_webhook(services: dict[str, Any], stages: list[Stage]) -> None:
    bot = services["bot"]
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    command = bot.get("command")
    argv = stages[-1].cmd() if command is None else (shlex.split(command) if isinstance(command, str) else command)
    assert "--webhook" in argv and "telegram" in argv
    env = service_environment(bot)
    assert set(env) <= settings_env_names()
    redis_url = urlsplit(env["JIFEN_REDIS_URL"])
    assert (redis_url.scheme, redis_url.hostname, redis_url.port) == ("redis", "redis", 6379)
    container_ports = [int(str(p).split(":")[-1].split("/")[0]) for p in bot.get("ports", [])]
    assert container_ports == stages[-1].exposed_ports()


def test_the_bot_is_published_on_loopback_only(services: dict[str, Any]) -> None:
    """Only the reverse proxy on the host (deploy/nginx/jifen.conf) reaches the worker: it enforces the header and
    body timeouts aiohttp lacks. ``8080:8080`` would publish it on every interface."""
    ports = [str(p) for p in services["bot"].get("ports", [])]
    assert ports and all(p.startswith(("127.0.0.1:", "[::1]:")) for p in ports), ports
    assert not services["redis"].get("ports"), "Redis is reachable from the bot's network only"


def test_compose_inlines_no_secret(services: dict[str, Any]) -> None:
    bot = services["bot"]
    env = service_environment(bot)
    for name in secret_env_names() & set(env):
        interpolated = interpolation(env[name])
        assert interpolated is not None, f"{name} is written into compose.yaml"
        assert interpolated[1] in ("?", ":?"), f"{name} must be required from the environment, not defaulted"
    assert urlsplit(env["JIFEN_REDIS_URL"]).password is None
    declared = compose().get("secrets") or {}
    for name, value in env.items():
        if name.endswith("_FILE"):
            secret = PurePosixPath(value)
            assert secret.parent == PurePosixPath("/run/secrets"), f"{name} is not a Docker secret"
            assert secret.name in bot.get("secrets", []) and secret.name in declared
            assert set(declared[secret.name]) & {"file", "environment"}


def test_the_secret_files_compose_reads_are_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for name, secret in (compose().get("secrets") or {}).items():
        if "file" in secret:
            path = (COMPOSE.parent / secret["file"]).resolve().relative_to(ROOT)
            ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", str(path)], cwd=ROOT, check=False)
            assert ignored.returncode == 0, f"secret {name} ({path}) could be committed: add it to .gitignore"
