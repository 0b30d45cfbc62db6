"""deploy/nginx/jifen.conf, the reverse proxy the webhook relies on for slow clients: its limits agree with the
bot's own, nginx accepts it, and a real nginx in front of a real worker passes Telegram's posts and stops the rest.

The limits are read from the file (not restated here) and compared with the constants of
bot/channels/telegram/webhook.py; the live test runs the same file with only ``listen``/TLS and the upstream's
port changed for a loopback test, and the header timeout shortened so a slow-loris is cut within the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram.replies import REPLY_BUDGET_S
from bot.channels.telegram.webhook import (
    BODY_TIMEOUT_S,
    HEADER_TIMEOUT_S,
    MAX_BODY_BYTES,
    MAX_CONNECTIONS,
    SECRET_HEADER,
)
from bot.settings import Settings
from tests.bot.redis_server import free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.deploy.deployfiles import DEPLOY, compose

CONF = DEPLOY / "nginx" / "jifen.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
JIFEN = Path(sys.executable).with_name("jifen")
_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}


def directives(text: str) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every simple directive, comments dropped, in order."""
    found = []
    for statement in re.sub(r"#[^\n]*", "", text).replace("{", ";").replace("}", ";").split(";"):
        words = statement.split()
        if words:
            found.append((words[0], words[1:]))
    return found


def one(name: str, *prefix: str) -> list[str]:
    [args] = [args for n, args in directives(CONF.read_text()) if n == name and args[:len(prefix)] == list(prefix)]
    return args[len(prefix):]


def seconds(value: str) -> float:
    return float(value.removesuffix("s"))


def size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", value.lower()).groups()  # type: ignore[union-attr]
    return int(number) * _UNITS[unit]


def test_the_limits_are_at_or_below_the_bots_own() -> None:
    assert seconds(one("client_header_timeout")[0]) <= HEADER_TIMEOUT_S
    assert seconds(one("client_body_timeout")[0]) <= BODY_TIMEOUT_S
    assert size(one("client_max_body_size")[0]) == MAX_BODY_BYTES
    assert int(one("limit_conn", "jifen_total")[0]) <= MAX_CONNECTIONS
    assert one("limit_conn_status") == ["503"]
    assert one("proxy_request_buffering") == ["on"]  # slow bodies stay in nginx
    assert seconds(one("proxy_read_timeout")[0]) > REPLY_BUDGET_S + 5  # a turn with retried replies is not cut


def test_it_serves_the_webhook_path_and_reaches_the_loopback_port_compose_publishes() -> None:
    text = CONF.read_text()
    assert f"location = {Settings().telegram_webhook_path} {{" in text
    [upstream] = [args for name, args in directives(text) if name == "server" and args and ":" in args[0]]
    published = [str(p) for p in compose()["services"]["bot"]["ports"]]
    assert [f"{p.rsplit(':', 1)[0]}" for p in published] == [upstream[0]]  # 127.0.0.1:8080
    health = text.split("location = /healthz {", 1)[1].split("}", 1)[0]
    assert "deny all;" in health and "allow 127.0.0.1;" in health  # not public


def test_nginx_accepts_the_file(tmp_path: Path) -> None:
    if NGINX is None:
        pytest.skip("nginx is not installed")
    main = main_conf(tmp_path, CONF.read_text().replace("/etc/ssl/jifen/", f"{tmp_path}/"))
    certificate(tmp_path)
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr


def main_conf(prefix: Path, site: str) -> Path:
    (prefix / "logs").mkdir(exist_ok=True)
    (prefix / "site.conf").write_text(site)
    main = prefix / "nginx.conf"
    main.write_text(f"daemon off;\nmaster_process off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
                    f"events {{ worker_connections 256; }}\nhttp {{ access_log off; client_body_temp_path "
                    f"{prefix}/body; proxy_temp_path {prefix}/proxy; include {prefix}/site.conf; }}\n")
    return main


def certificate(folder: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not on PATH")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem")],
                   check=True, capture_output=True)


# ------------------------------------------------------------------------------------------ live, in front


@pytest.fixture
def proxied(fake: FakeBotApi, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """nginx on a free port (plain HTTP, header timeout 1 s) in front of a webhook worker on another."""
    if NGINX is None:
        pytest.skip("nginx is not installed")
    worker_port, proxy_port = free_port(), free_port()
    site = CONF.read_text()
    site = re.sub(r"listen 443 ssl;", f"listen 127.0.0.1:{proxy_port};", site)
    site = re.sub(r"\n\s*ssl_certificate(_key)? [^\n]*", "", site)
    site = site.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{worker_port};")
    site = site.replace("client_header_timeout 10s;", "client_header_timeout 1s;")
    main = main_conf(tmp_path, site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | {
        "JIFEN_TELEGRAM_TOKEN": fake.token, "JIFEN_TELEGRAM_API_URL": fake.base_url,
        "JIFEN_DATA_DIR": str(tmp_path / "data"), "JIFEN_TELEGRAM_WEBHOOK_SECRET": "nginx-test-secret_0123456789",
        "JIFEN_TELEGRAM_WEBHOOK_PORT": str(worker_port), "JIFEN_LOG_LEVEL": "WARNING"}
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen([str(JIFEN), "telegram", "--webhook"], env=env, stdout=log, stderr=subprocess.STDOUT)
    proxy = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(main)], stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{proxy_port}", proxy_port
    finally:
        for process in (proxy, worker):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.mark.slow
async def test_through_nginx_posts_pass_and_slow_or_big_requests_do_not(
    proxied: tuple[str, int], fake: FakeBotApi
) -> None:
    url, port = proxied
    headers = {SECRET_HEADER: "nginx-test-secret_0123456789", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http:
        async with asyncio.timeout(30):
            while True:  # until nginx listens and the worker behind it is ready
                try:
                    async with http.post(url + "/telegram/webhook", headers=headers,
                                         data=json.dumps(fake.make_update(7701, "hello", language_code="en"))) as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.2)
        assert len(fake.sent_messages(7701)) == 1  # the worker answered through the proxy, secret header kept
        async with http.post(url + "/telegram/webhook", headers=headers, data=b"x" * (MAX_BODY_BYTES + 1)) as r:
            assert r.status == 413  # refused by nginx before the worker reads anything
        async with http.get(url + "/telegram/webhook") as r:
            assert r.status == 403  # POST only
        async with http.get(url + "/") as r:
            assert r.status == 404
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /telegram/webhook HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
    await writer.drain()
    async with asyncio.timeout(10):
        rest = await reader.read()  # nginx closes it after client_header_timeout (here 1 s)
    assert not rest.startswith(b"HTTP/1.1 200")
    writer.close()
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # and still serves
