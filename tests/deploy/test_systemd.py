"""deploy/jifen.service: what it runs and with which settings, ``systemd-analyze verify`` on it, and its ExecStart
run for real from the image-equivalent install with the unit's own environment (SQLite in the StateDirectory).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
from pathlib import Path, PurePosixPath

import aiohttp
import pytest

from bot.channels.telegram.webhook import HEALTH_PATH
from tests.bot.redis_server import free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.deploy.deployfiles import (
    UNIT,
    exec_start_argv,
    secret_env_names,
    settings_env_names,
    unit_environment,
    unit_sections,
    unit_values,
)
from tests.deploy.image import Runtime

pytestmark = pytest.mark.slow  # deploy replay: installs the image-equivalent runtime

CREDENTIAL_DIRS = ("%d", "${CREDENTIALS_DIRECTORY}", "$CREDENTIALS_DIRECTORY")
ENV_FILE_VALUES = {  # what an operator puts in /etc/jifen/env for a single host (no JIFEN_REDIS_URL: SQLite)
    "JIFEN_TELEGRAM_WEBHOOK_SECRET": "systemd-webhook-secret_0123456789",
    "JIFEN_HASH_KEY": "systemd-hash-key-0123456789",
}


def venv_root() -> PurePosixPath:
    """The install location the unit's header comment documents (``python3 -m venv /opt/jifen``)."""
    match = re.search(r"-m venv (\S+)", UNIT.read_text(encoding="utf-8"))
    assert match is not None, "the unit no longer documents how jifen is installed"
    return PurePosixPath(match[1])


def test_exec_start_runs_the_installed_webhook_command() -> None:
    argv = exec_start_argv(unit_sections())
    assert PurePosixPath(argv[0]) == venv_root() / "bin" / "jifen"
    assert argv[1:] == ["telegram", "--webhook"]


def test_environment_names_are_settings_and_hold_no_secret() -> None:
    sections = unit_sections()
    env = unit_environment(sections)
    assert set(env) <= settings_env_names()
    assert set(env) & secret_env_names() == set(), "secrets belong in EnvironmentFile= or a credential"
    assert unit_values(sections, "Service", "EnvironmentFile"), "the secrets' EnvironmentFile= is gone"


def test_data_dir_is_the_writable_state_directory() -> None:
    """ProtectSystem=strict leaves only the StateDirectory writable: the SQLite file must go there."""
    sections = unit_sections()
    [state] = unit_values(sections, "Service", "StateDirectory")
    assert unit_environment(sections)["JIFEN_DATA_DIR"] == f"/var/lib/{state.split()[0]}"


def test_a_dynamic_user_gets_the_token_file_as_a_credential() -> None:
    """A DynamicUser cannot read a root-owned 0600 token file; LoadCredential= hands systemd's copy to the service."""
    sections = unit_sections()
    if unit_values(sections, "Service", "DynamicUser") not in (["yes"], ["true"], ["1"], ["on"]):
        pytest.skip("not a DynamicUser unit")
    token_file = unit_environment(sections).get("JIFEN_TELEGRAM_TOKEN_FILE")
    assert token_file is not None, "set JIFEN_TELEGRAM_TOKEN_FILE to a credential (LoadCredential=)"
    directory, _, name = token_file.rpartition("/")
    assert directory in CREDENTIAL_DIRS
    credentials = [value.split(":", 1)[0] for value in unit_values(sections, "Service", "LoadCredential")]
    assert name in credentials


def test_systemd_analyze_verify(runtime: Runtime, tmp_path: Path) -> None:
    """systemd's own parser, with the venv in ExecStart pointed at the image-equivalent install (verify checks
    that the executable exists)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(f"{venv_root()}/", f"{runtime.prefix}/"),
                    encoding="utf-8")
    done = subprocess.run([analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if UNIT.name in line] == []  # e.g. "Unknown key"


async def test_exec_start_with_the_units_environment_serves_from_the_state_directory(
    runtime: Runtime, tmp_path: Path
) -> None:
    sections = unit_sections()
    state, credentials = tmp_path / "var-lib-jifen", tmp_path / "credentials"
    state.mkdir()
    credentials.mkdir()
    port = free_port()
    env = runtime.env(HOME=str(tmp_path))
    for name, value in unit_environment(sections).items():
        for marker in CREDENTIAL_DIRS:
            value = value.replace(marker, str(credentials))
        env[name] = str(state) if name == "JIFEN_DATA_DIR" else value
    env |= ENV_FILE_VALUES | {"JIFEN_TELEGRAM_WEBHOOK_PORT": str(port)}  # 8080 (the default) may be taken
    argv = exec_start_argv(sections)
    argv[0] = str(runtime.prefix / PurePosixPath(argv[0]).relative_to(venv_root()))
    async with FakeBotApi() as fake:
        env["JIFEN_TELEGRAM_API_URL"] = fake.base_url
        for value in unit_values(sections, "Service", "LoadCredential"):
            (credentials / value.split(":", 1)[0]).write_text(f"{fake.token}\n", encoding="utf-8")
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT)
        try:
            status = None
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
                for _ in range(100):
                    assert process.poll() is None, log.read_text(errors="replace")
                    try:
                        async with http.get(f"http://127.0.0.1:{port}{HEALTH_PATH}") as response:
                            status = response.status
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
            assert status == 200, log.read_text(errors="replace")
            assert (state / "jifen.sqlite3").is_file()
            assert fake.calls_to("getMe")  # the token from the credential file was used
            process.send_signal(signal.SIGTERM)  # systemctl stop
            assert await asyncio.to_thread(process.wait, 10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
