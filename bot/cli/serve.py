"""``jifen serve`` (every web-facing channel on one port) and ``jifen wechat set-menu``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys

from bot.channels.telegram.run import quiet_secret_loggers
from bot.channels.telegram.token import TokenError
from bot.channels.wechat.api import WechatError
from bot.channels.wechat.setup import set_menu
from bot.cli.settings import settings_or_none
from bot.http.server import run_serve


def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_secret_loggers()  # httpx logs request URLs: WeChat's carry the access_token, Telegram's the bot token
    gc.freeze()  # as `jifen telegram`: keep start-up objects out of the cyclic collector's full passes
    try:
        asyncio.run(run_serve(settings))
    except (TokenError, ValueError) as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


def cmd_wechat(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return 2
    quiet_secret_loggers()
    try:
        asyncio.run(set_menu(settings))
    except ValueError as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return 2
    except WechatError as exc:
        print(f"jifen: the menu was not installed: {exc}", file=sys.stderr)
        return 1
    print("menu installed (WeChat clients show it within about 5 minutes)")
    return 0


def add_serve_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="serve the web-facing channels (WeChat, the Telegram webhook) on one port",
                       description="One HTTP server on JIFEN_HTTP_LISTEN:JIFEN_HTTP_PORT with GET /healthz, WeChat at "
                                   "JIFEN_WECHAT_PATH and the Telegram webhook when their settings are set.")
    p.set_defaults(func=cmd_serve)
    w = sub.add_parser("wechat", help="WeChat official account: set-menu installs the custom menu",
                       description="Install the custom menu (我的分数 / 方案 / 更多: 材料, 删除我的数据) once.")
    w.add_argument("action", choices=["set-menu"])
    w.set_defaults(func=cmd_wechat)
