"""The ``jifen chat`` and ``jifen diagram`` sub-commands (wired into bot.cli.main by ``add_chat_commands``).

``jifen chat`` needs nothing but Python: the embedded SQLite store under the data directory
(``JIFEN_DATA_DIR``, default ~/.local/share/jifen), no Redis, no token, no network. It starts by
purging what has expired from the store (bot.retention), as the long-running bot does hourly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import clock
from bot.channels import terminal
from bot.cli.settings import settings_or_none
from bot.privacy import MissingHashKey, hash_key, log_hasher
from bot.retention import purge
from bot.sessions import make_engine
from bot.store import StoreError, open_store
from dialogs import diagram
from dialogs.ports import StorageUnavailable

EXIT_USAGE = 2


def add_chat_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = subparsers.add_parser("chat", help="chat with the advisor in the terminal",
                                 description="Chat with the advisor in the terminal; answers are kept in the local "
                                             "SQLite store so an unfinished interview resumes next time.")
    chat.add_argument("--new", action="store_true", help="forget the saved interview and start over")
    chat.add_argument("--lang", choices=["zh", "en"], help="language to chat in (default: from your messages)")
    chat.set_defaults(func=cmd_chat)
    dia = subparsers.add_parser("diagram", help="write the interview's state diagram (mermaid) to docs/dialog.md",
                                description="Generate the interview's state diagram from the questionnaire.")
    dia.add_argument("--check", action="store_true", help="only check the file is up to date (exit 1 if not)")
    dia.add_argument("--output", type=Path, default=diagram.DEFAULT_PATH, help="file to write (default %(default)s)")
    dia.set_defaults(func=cmd_diagram)


def cmd_chat(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return EXIT_USAGE
    try:
        hash_key(settings, warn=False)  # a shared store without JIFEN_HASH_KEY stops before anything is opened
    except MissingHashKey as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(settings)  # SQLite under the data directory unless JIFEN_REDIS_URL says otherwise
    locale_hint = args.lang or os.environ.get("LC_ALL") or os.environ.get("LANG") or None
    try:
        engine = make_engine(store, None, settings, user_hash=log_hasher(settings, warn=False))  # no reminders here
        return terminal.run(engine, sys.stdin, sys.stdout, now=clock.now, lang=args.lang,
                            locale_hint=locale_hint, start_over=args.new, prepare=lambda: purge(store),
                            close=store.close)
    except (StorageUnavailable, StoreError) as exc:
        print(f"jifen: the session store cannot be used: {exc}", file=sys.stderr)
        return EXIT_USAGE


def cmd_diagram(args: argparse.Namespace) -> int:
    path: Path = args.output
    if args.check:
        if diagram.is_current(path):
            return 0
        print(f"jifen: {path} is out of date; run `jifen diagram`", file=sys.stderr)
        return 1
    diagram.write(path)
    print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry (``python -m bot.cli.chat``) until bot.cli.main wires these commands in."""
    parser = argparse.ArgumentParser(prog="jifen", description="Shanghai residence-permit points advisor")
    add_chat_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
