"""Who a browser is: an anonymous random id in a cookie, set only once the person has agreed to be remembered.

The cookie is HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure when the page is
served over HTTPS, and lives as long as the answers may (``JIFEN_SESSION_TTL_DAYS``). Its value is the whole
identity: 144 random bits, url-safe; the user key is ``web-<id>``. A request without it (or with a malformed one)
gets a fresh id for its turn, which is kept — as a cookie — only if that turn saved a session (the consent). So
nothing is stored, not even the cookie, before consent; "删除我的数据" removes the data and the cookie.
"""

from __future__ import annotations

import re
import secrets

from aiohttp import web

COOKIE = "jifen_id"
PREFIX = "web-"
_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_id() -> str:
    return secrets.token_urlsafe(18)


def cookie_id(request: web.Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value is not None and _ID.fullmatch(value) else None


def user_key(client_id: str) -> str:
    return PREFIX + client_id


def remember(response: web.StreamResponse, client_id: str, *, secure: bool, days: int) -> None:
    response.set_cookie(COOKIE, client_id, max_age=days * 24 * 60 * 60, path="/", httponly=True, secure=secure,
                        samesite="Lax")


def forget(response: web.StreamResponse, *, secure: bool) -> None:
    response.del_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
