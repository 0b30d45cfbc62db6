"""`jifen chat` in the terminal: numbered options, resume after a restart, clean exit on EOF and Ctrl-C."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from bot.channels import terminal
from bot.cli.chat import main as chat_cli_main
from bot.store import SqliteStore
from dialogs import diagram
from tests.dialogs.chat import NOW, engine_on
from tests.worker_clock import fake_clock_env

ROOT = Path(__file__).parents[2]


def run_terminal(path: Path, lines: list[str], lang: str | None = None) -> str:
    store = SqliteStore(path)
    out = io.StringIO()
    code = terminal.run(engine_on(store), io.StringIO("".join(f"{line}\n" for line in lines)), out,
                        now=lambda: NOW, lang=lang, close=store.close)
    assert code == 0
    return out.getvalue()


def test_numbers_pick_options_and_the_interview_resumes(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    first = run_terminal(path, ["1", "1990-05-20", "2", "2"], lang="en")
    assert "  1) I agree, start\n  2) No thanks\n  3) 中文\n" in first
    assert "  2) College diploma (大专)\n" in first  # education shown as numbered options
    assert first.rstrip().endswith("Bye! Your answers are saved; run jifen chat again to continue.")
    assert "Do you hold a professional title" in first.split("> ")[-2]

    second = run_terminal(path, ["Back"])
    assert "Welcome back! Let's continue where we left off.\nDo you hold a professional title" in second
    assert "Was that full-time study" in second.split("> ")[-2]  # "Back" typed = the Back button
    assert "Your previous answer: No" in second


def test_a_number_is_an_answer_where_the_options_are_not_numbered(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    out = run_terminal(path, ["1", "1990-05-20", "2", "2", "1", "1", "3", "1"], lang="en")
    assert "[The minimum]  [1x average]" in out
    assert "Noted: about 12,434 CNY a month, i.e. 1x the city average wage" in out  # "1" = 1x, not button 1


def test_empty_input_exits_cleanly_having_stored_nothing(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    out = run_terminal(path, [], lang="en")
    assert "Nothing is stored until you agree." in out

    async def stored() -> object:
        store = SqliteStore(path)
        try:
            return await store.load(terminal.USER_KEY)
        finally:
            await store.close()

    assert asyncio.run(stored()) is None


def _chat(tmp_path: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "JIFEN_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), **fake_clock_env()}
    env.pop("JIFEN_REDIS_URL", None)
    return [sys.executable, "-m", "bot.cli.chat", "chat", *args], env


def test_jifen_chat_process_resumes_and_new_starts_over(tmp_path: Path) -> None:
    cmd, env = _chat(tmp_path, "--lang", "en")
    done = subprocess.run(cmd, input="1\n35\n", capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Which month were you born in?" in done.stdout and done.stderr == ""

    cmd, env = _chat(tmp_path)
    again = subprocess.run(cmd, input="", capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert again.returncode == 0
    assert "Welcome back! Let's continue where we left off.\nWhich month were you born in?" in again.stdout

    cmd, env = _chat(tmp_path, "--new", "--lang", "zh")
    fresh = subprocess.run(cmd, input="", capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert fresh.returncode == 0
    assert "在你同意之前，我不会保存任何内容。" in fresh.stdout


def test_ctrl_c_leaves_cleanly(tmp_path: Path) -> None:
    cmd, env = _chat(tmp_path, "--lang", "en")
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=tmp_path)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    seen = bytearray()
    prompted = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        while chunk := proc.stdout.read1(4096):  # type: ignore[attr-defined]
            seen.extend(chunk)
            if seen.endswith(b"> "):
                prompted.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert prompted.wait(60), seen.decode()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    reader.join(timeout=10)
    err = proc.stderr.read().decode()
    assert "Traceback" not in err
    assert seen.decode().rstrip().endswith("Bye! Your answers are saved; run jifen chat again to continue.")


def test_diagram_command_writes_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "dialog.md"
    assert chat_cli_main(["diagram", "--check", "--output", str(path)]) == 1
    assert chat_cli_main(["diagram", "--output", str(path)]) == 0
    assert chat_cli_main(["diagram", "--check", "--output", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == diagram.markdown()


def test_the_bachelor_option_by_number_or_label_moves_on(tmp_path: Path) -> None:
    """Issue #12: "3" and "本科（无学士学位）" at the education question used to ask the same question again."""
    for answer in ("3", "本科（无学士学位）", "本科(无学士学位)"):
        out = run_terminal(tmp_path / f"{answer}.sqlite3", ["1", "35", "3", answer], lang="zh")
        assert "这个学历是全日制读的吗？" in out.split("> ")[-2], answer


def test_restart_and_delete_show_numbered_confirmation(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    out = run_terminal(path, ["1", "1990-05-20", "restart", "2", "/forget", "1"], lang="en")
    assert "Start over? Your 1 answer so far will be cleared" in out
    assert "  1) Yes, start over\n  2) Cancel\n" in out
    assert "OK, nothing has changed.\nWhat is your highest recognised education?" in out  # "2" cancels
    assert "  1) Yes, delete\n  2) Cancel\n" in out
    assert "All your data has been deleted." in out  # "1" confirms


def test_a_picture_is_said_not_drawn_in_the_terminal(tmp_path: Path) -> None:
    """"分数卡" in the terminal: the words, and a line saying a picture went with them (it cannot be shown)."""
    from tests.dialogs.examples import EXAMPLES

    script = next(e for e in EXAMPLES if e.name == "B").scripts["zh-text"]
    out = run_terminal(tmp_path / "jifen.sqlite3", [*script, "分数卡"])
    last = out.split("> ")[-2]
    assert "你的分数卡：" in last
    assert "[图片：上海居住证积分 · 分数卡。终端里显示不了" in last
    assert out.count("[图片：") == 3  # the report's card and chart, then the card asked for
