"""Reading a profile file for the CLI: every failure becomes one line naming the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.clock import today
from scoring import Profile, ProfileError, parse_profile

MAX_PROFILE_BYTES = 1_000_000


class _Refused(ValueError):
    """Valid JSON syntax that a profile still may not use."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object with a key twice is refused: ``json`` would keep the last silently, and the file says two things."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _Refused(f"the key {_quoted(key)} appears twice in one object")
        data[key] = value
    return data


def _quoted(key: str) -> str:
    """The key for a one-line message: printable and short."""
    text = repr(key[:40])
    return text + ("…" if len(key) > 40 else "")


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number a profile can hold")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e400: a literal too large for a float
        raise _Refused(f"the number {text[:40]} is too large")
    return value


def read_profile_data(path: str) -> dict[str, Any]:
    """The JSON object in ``path`` (``-`` is standard input is not supported: profiles are files)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES} bytes")
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the file ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite)
    except _Refused as exc:
        raise ProfileError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError):  # a number over Python's digit limit, or nesting too deep to parse
        raise ProfileError(f"{path}: not valid JSON (a number too long or nesting too deep)") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: the profile must be a JSON object")
    return data


def load_profile(path: str) -> Profile:
    """Read and validate a profile; a missing ``as_of`` means today in Shanghai."""
    data = read_profile_data(path)
    if data.get("as_of") is None:
        data["as_of"] = today().isoformat()
    return parse_profile(data)
