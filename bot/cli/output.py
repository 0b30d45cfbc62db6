"""Printing for the CLI: JSON exactly as the contracts say (UTF-8, not escaped)."""

from __future__ import annotations

import json


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))
