"""The terminal channel: the same engine as Telegram, rendered as text with numbered options.

Why it matters beyond a demo: it is the channel a newcomer meets first (``python3 dev.py chat``), and
it exercises the whole path — SQLite store, compare-and-set, resume after a restart — with no
network. Buttons of a multiple-choice question are shown as "1) ..." and a bare number picks one;
on other questions a number is an answer (an age, an amount), and the buttons (skip, back) are
shown as words to type.

Leaving with Ctrl-D or Ctrl-C is clean: every turn was already saved, so there is nothing to flush.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from dialogs.engine import Engine
from dialogs.language import detect_language
from dialogs.messages import Inbound, Outbound
from dialogs.parsing import normalize
from dialogs.ports import DeleteUser
from locales import translator

USER_KEY = "terminal:local"
"""One local user: the terminal chat is personal, like a shell history."""


class Terminal:
    """Turns lines into inbound messages and outbound messages into printed text."""

    def __init__(self, engine: Engine, out: TextIO, *, now: Callable[[], dt.datetime],
                 lang: str | None = None, user_key: str = USER_KEY) -> None:
        self.engine = engine
        self.out = out
        self.now = now
        self.lang_hint = lang
        self.user_key = user_key
        self._shortcuts: dict[str, str] = {}
        self._lang = ""

    async def send(self, line: str) -> None:
        """One line typed by the user (a number or label picks the matching button)."""
        key = normalize(line) if len(line) <= 200 else ""
        payload = self._shortcuts.get(key)
        inbound = Inbound(user_key=self.user_key, now=self.now(), locale_hint=self.lang_hint,
                          text=None if payload else line, button=payload)
        self.show(await self.engine.handle(inbound))

    def show(self, messages: list[Outbound]) -> None:
        self._shortcuts = {}
        for message in messages:
            self.out.write(message.text + "\n")
            self._lang = message.lang or self._lang
            if message.picture is not None:  # the text says what it shows; say that a picture went with it
                self.out.write(translator(self._lang or "zh")("chat.terminal.picture",
                                                              title=message.picture.title) + "\n")
            if message.buttons:
                self.out.write(self._buttons(message) + "\n")
            self.out.write("\n")
        self.out.flush()

    def _buttons(self, message: Outbound) -> str:
        buttons = [b for row in message.buttons for b in row]
        for b in buttons:
            self._shortcuts[normalize(b.label)] = b.payload
        if not message.numbered:
            return "  " + "  ".join(f"[{b.label}]" for b in buttons)
        lines = []
        for i, b in enumerate(buttons, 1):
            self._shortcuts[str(i)] = b.payload
            lines.append(f"  {i}) {b.label}")
        return "\n".join(lines)

    def goodbye(self) -> None:
        lang = self._lang or detect_language(None, self.lang_hint)
        self.out.write("\n" + translator(lang)("chat.terminal.bye") + "\n")
        self.out.flush()


def run(engine: Engine, stdin: TextIO, stdout: TextIO, *, now: Callable[[], dt.datetime],
        lang: str | None = None, locale_hint: str | None = None, start_over: bool = False,
        prepare: Callable[[], Coroutine[Any, Any, object]] | None = None,
        close: Callable[[], Coroutine[Any, Any, None]] | None = None) -> int:
    """The read-eval-print loop; returns the exit status (0, also after Ctrl-D or Ctrl-C).

    ``lang`` is an explicit choice (``--lang``): it switches a resumed interview too. ``locale_hint``
    (the environment's locale) only decides the language of a first greeting that says nothing.
    ``start_over`` deletes the saved interview first (``--new``), in the same event loop as the chat
    because a store's connections belong to the loop that opened them; so does ``prepare`` (run before
    anything else: ``jifen chat`` purges expired data with it).

    One event loop serves the whole session (the SQLite store keeps its worker between calls);
    reading stdin happens outside it, so Ctrl-C while waiting for input needs no cancellation.
    """
    terminal = Terminal(engine, stdout, now=now, lang=lang or locale_hint)
    with asyncio.Runner() as runner:
        try:
            if prepare is not None:
                runner.run(prepare())
            if start_over:
                runner.run(engine.storage.commit(terminal.user_key, (DeleteUser(),), now()))
            runner.run(terminal.send(f"/lang {lang}" if lang else "/start"))
            while True:
                stdout.write("> ")
                stdout.flush()
                line = stdin.readline()
                if not line:
                    break
                stdout.write("\n")
                runner.run(terminal.send(line.rstrip("\r\n")))
        except KeyboardInterrupt:
            pass
        finally:
            terminal.goodbye()
            if close is not None:
                runner.run(close())
    return 0
