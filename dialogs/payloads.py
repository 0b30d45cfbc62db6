"""Button payloads: what the engine puts behind a button and how it reads one back.

Formats (all ASCII, at most 64 bytes — Telegram's callback-data limit):
``a:<question>:<token>`` an answer option, ``c:<command>`` a command, ``lang:<zh|en>``,
``consent:<yes|no>:<zh|en>`` (the consent screen carries the language because nothing is stored
before consent), and ``confirm:<restart|delete>:<yes|no>`` (the answer to "are you sure?"; it names the
action, so a stale button of an earlier question never confirms a different one). Payloads come from the
client and can be forged, so reading one never raises: anything malformed is
``None`` and the engine answers with a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.messages import MAX_PAYLOAD_BYTES

_PAYLOAD = re.compile(
    r"(?:a:(?P<question>[a-z_]{1,32}):(?P<token>[A-Za-z0-9_.]{1,24})"
    r"|c:(?P<command>[a-z]{1,16})"
    r"|lang:(?P<lang>zh|en)"
    r"|consent:(?P<consent>yes|no):(?P<consent_lang>zh|en)"
    r"|confirm:(?P<confirm_action>restart|delete):(?P<confirm>yes|no))"
)


@dataclass(frozen=True, slots=True)
class Payload:
    kind: str  # "answer" | "command" | "lang" | "consent" | "confirm"
    question: str = ""
    token: str = ""
    command: str = ""
    lang: str = ""
    agree: bool = False


def answer(question: str, token: str) -> str:
    return f"a:{question}:{token}"


def command(name: str) -> str:
    return f"c:{name}"


def language(lang: str) -> str:
    return f"lang:{lang}"


def consent(agree: bool, lang: str) -> str:
    return f"consent:{'yes' if agree else 'no'}:{lang}"


def confirm(action: str, yes: bool) -> str:
    """``action`` is "restart" or "delete"."""
    return f"confirm:{action}:{'yes' if yes else 'no'}"


def read(payload: str) -> Payload | None:
    if not isinstance(payload, str) or len(payload.encode("utf-8", "replace")) > MAX_PAYLOAD_BYTES:
        return None
    m = _PAYLOAD.fullmatch(payload)
    if m is None:
        return None
    if m.group("question"):
        return Payload("answer", question=m.group("question"), token=m.group("token"))
    if m.group("command"):
        return Payload("command", command=m.group("command"))
    if m.group("lang"):
        return Payload("lang", lang=m.group("lang"))
    if m.group("confirm_action"):
        return Payload("confirm", command=m.group("confirm_action"), agree=m.group("confirm") == "yes")
    return Payload("consent", agree=m.group("consent") == "yes", lang=m.group("consent_lang"))
