"""Settings for a CLI command: one line on stderr instead of a pydantic traceback when they are invalid."""

from __future__ import annotations

import sys

from pydantic import ValidationError

from bot.settings import Settings, load_settings


def settings_or_none() -> Settings | None:
    """The settings from the environment, or None after printing the first problem as one line."""
    try:
        return load_settings()
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        print(f"jifen: invalid settings: {message}", file=sys.stderr)
        return None
