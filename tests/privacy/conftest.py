"""The Telegram fixtures (fake Bot API, controllable clock) for the privacy tests."""

from __future__ import annotations

from tests.channels.telegram.conftest import clock, fake

__all__ = ["clock", "fake"]
