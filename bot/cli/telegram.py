"""``jifen telegram``: run the bot (polling or webhook) and ``jifen telegram set-webhook URL``.

What it prints and logs goes through a redactor of every secret the settings hold (bot.redaction): a failure
at start-up is one line on stderr without the token, the webhook secret, the hash key or a Redis password,
whatever library raised it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys

from telegram.error import InvalidToken

from bot.channels.telegram.run import quiet_secret_loggers, run_polling, run_webhook, set_webhook
from bot.channels.telegram.startup import TOKEN_REFUSED, StartupError
from bot.channels.telegram.token import TokenError
from bot.cli.settings import settings_or_none
from bot.redaction import Redactor, redact_handlers, settings_secrets

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_USAGE = 2


def cmd_telegram(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return EXIT_USAGE
    redactor = Redactor(settings_secrets(settings))
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact_handlers(redactor)
    quiet_secret_loggers()
    # Everything imported so far lives as long as the process: keep it out of the cyclic collector, whose
    # full passes over it (20-30 ms) would otherwise stall every user's turn on the event loop now and then.
    gc.freeze()

    def fail(message: str, code: int) -> int:
        print(f"jifen: {redactor.redact(message)}", file=sys.stderr)
        return code

    try:
        if args.action == "set-webhook":
            if not args.url:
                raise ValueError("usage: jifen telegram set-webhook https://your.host/telegram/webhook")
            asyncio.run(set_webhook(settings, args.url, drop_pending=args.drop_pending))
            print("webhook set")
        elif args.webhook:
            asyncio.run(run_webhook(settings))
        else:
            asyncio.run(run_polling(settings))
    except (TokenError, ValueError, StartupError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except InvalidToken:  # getUpdates or set-webhook refused the token (its message may quote it)
        return fail(TOKEN_REFUSED, EXIT_USAGE)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # a bug or an outage no layer handled: logged (redacted) with its traceback
        log.critical("jifen telegram stopped by %s", type(exc).__name__, exc_info=True)
        return fail(f"stopped by an unexpected {type(exc).__name__} (the log has the details)", EXIT_FAILED)
    return 0


def add_telegram_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("telegram", help="run the Telegram bot (polling; --webhook for production)",
                       description="Run the Telegram bot, or register its webhook once with set-webhook URL.")
    p.add_argument("action", nargs="?", choices=["run", "set-webhook"], default="run")
    p.add_argument("url", nargs="?", help="with set-webhook: the public https URL of the webhook path")
    p.add_argument("--webhook", action="store_true", help="serve webhook posts instead of long polling")
    p.add_argument("--drop-pending", action="store_true", help="with set-webhook: drop updates waiting at Telegram")
    p.set_defaults(func=cmd_telegram)
