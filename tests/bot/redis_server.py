"""A throwaway ``redis-server`` for tests.

Tests must never touch a developer's or CI's shared Redis, and outage tests need to kill and
revive the server at will — so each helper owns its own process on a free loopback port, with
persistence disabled and its files in a private temp directory. ``start()`` after ``stop()``
reuses the same port so a client's URL stays valid across the simulated outage.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

REDIS_SERVER = shutil.which("redis-server")
SKIP_REASON = "redis-server is not on PATH; install Redis to run the Redis store tests"

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0


def free_port() -> int:
    """Ask the kernel for an unused port (racy in theory, so ``start`` retries on a bind failure)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_NO_CACHE",
                      "DONT_FAKE_MONOTONIC")


def real_clock_env() -> dict[str, str]:
    """The environment without libfaketime: redis-server and redis-cli hang under it, and the suite must pass
    under faketime."""
    return {key: value for key, value in os.environ.items() if key not in FAKETIME_VARIABLES}


def answers_ping(port: int, timeout: float = 0.5, *, password: str | None = None,
                 tls: ssl.SSLContext | None = None) -> bool:
    """Speak raw RESP so readiness checks do not depend on the client library under test."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
            sock = tls.wrap_socket(raw, server_hostname="127.0.0.1") if tls is not None else raw
            command = b"PING\r\n" if password is None else f"AUTH {password}\r\nPING\r\n".encode()
            sock.sendall(command)
            answer = b""
            while b"PONG" not in answer and len(answer) < 128:
                chunk = sock.recv(64)
                if not chunk:
                    break
                answer += chunk
            return b"+PONG" in answer
    except OSError:
        return False


class RedisServer:
    """Owns one redis-server subprocess; use as a context manager or call ``cleanup()``."""

    def __init__(self, port: int | None = None, *, extra: tuple[str, ...] = (), password: str | None = None) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError(SKIP_REASON)
        self._binary = REDIS_SERVER
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="jifen-redis-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._extra = extra  # more command-line options, e.g. ("--replicaof", "127.0.0.1 6380")
        self.password = password  # --requirepass: the URL carries it

    def _ready(self) -> bool:
        return answers_ping(self.port, password=self.password)

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password is not None else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start (or restart on the same port) and return once the server answers PING."""
        if self.running:
            return
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            if self._spawn_and_wait():
                return
            if attempt + 1 < attempts and not self._fixed_port:
                self.port = free_port()  # somebody grabbed our port between probe and bind
        raise RuntimeError(f"redis-server did not start on port {self.port}:\n{self._log_tail()}")

    def _spawn_and_wait(self) -> bool:
        log = (self._dir / "redis.log").open("ab")
        with log:
            self._process = subprocess.Popen(
                [self._binary, *self._arguments()],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=real_clock_env(),
            )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            if self._ready():
                return True
            time.sleep(0.02)
        self.stop()
        return False

    def _arguments(self) -> list[str]:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "save": "",  # no RDB snapshots: tests must not leave files or depend on old data
            "appendonly": "no",
            "daemonize": "no",  # stay our child so stop() can signal and reap it
            "dir": str(self._dir),
        }
        if self.password is not None:
            options["requirepass"] = self.password
        return [*(arg for name, value in options.items() for arg in (f"--{name}", value)), *self._extra]

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and wait until the port is closed."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGCONT)  # a paused server cannot handle SIGTERM
            process.terminate()
            try:
                process.wait(timeout=_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=_STOP_TIMEOUT_S)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections are accepted by the kernel but never answered."""
        if self._process is not None:
            os.kill(self._process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self._process is not None:
            os.kill(self._process.pid, signal.SIGCONT)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return (self._dir / "redis.log").read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()


class SentinelServer(RedisServer):
    """A Redis Sentinel (``redis-server CONF --sentinel``) watching one primary under ``service``.

    Quick to act, for tests: the primary counts as down after ``down_after_ms`` and one sentinel is a
    quorum. Sentinel rewrites its config file, so each instance gets its own in its private directory.
    """

    def __init__(self, primary_port: int, service: str, *, down_after_ms: int = 500) -> None:
        super().__init__()
        self.service, self._primary_port, self._down_after_ms = service, primary_port, down_after_ms

    @property
    def url(self) -> str:
        return f"redis+sentinel://127.0.0.1:{self.port}/{self.service}"

    def _arguments(self) -> list[str]:
        # Written at every start: the port may have changed (see start), and a sentinel rewrites the file.
        conf = self._dir / "sentinel.conf"
        conf.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self._dir}\n"
            f"sentinel monitor {self.service} 127.0.0.1 {self._primary_port} 1\n"
            f"sentinel down-after-milliseconds {self.service} {self._down_after_ms}\n"
            f"sentinel failover-timeout {self.service} {self._down_after_ms * 4}\n"
        )
        return [str(conf), "--sentinel"]


class TlsRedisServer(RedisServer):
    """A redis-server that speaks TLS only (``--port 0 --tls-port``), with a password: what ``rediss://`` reaches.

    The certificate is self-signed for 127.0.0.1, made with the ``openssl`` command in the server's private
    directory; ``ca_file`` is what a client must trust (the URL's ``ssl_ca_certs``).
    """

    OPENSSL = shutil.which("openssl")

    def __init__(self, password: str) -> None:
        super().__init__(password=password)
        if self.OPENSSL is None:
            raise RuntimeError("openssl is not on PATH")
        self.ca_file = self._dir / "cert.pem"
        self._key_file = self._dir / "key.pem"
        subprocess.run([self.OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", str(self._key_file), "-out", str(self.ca_file), "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)

    @property
    def url(self) -> str:
        return (f"rediss://:{self.password}@127.0.0.1:{self.port}/0?ssl_ca_certs={self.ca_file}"
                "&ssl_cert_reqs=required")

    def _ready(self) -> bool:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return answers_ping(self.port, password=self.password, tls=context)

    def _arguments(self) -> list[str]:
        plain = super()._arguments()
        at = plain.index("--port")
        return [*plain[:at], "--port", "0", "--tls-port", plain[at + 1], *plain[at + 2:],
                "--tls-cert-file", str(self.ca_file), "--tls-key-file", str(self._key_file),
                "--tls-ca-cert-file", str(self.ca_file), "--tls-auth-clients", "no"]
