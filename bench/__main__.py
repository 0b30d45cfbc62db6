"""Run every benchmark and print one markdown table (see bench/RESULTS.md for recorded runs)."""

from __future__ import annotations

import platform
import sys

from bench import (
    e2e_bench,
    footprint_bench,
    planner_bench,
    reminders_bench,
    scoring_bench,
    turn_bench,
    utterance_bench,
    web_bench,
    webhook_bench,
    wechat_bench,
)
from bench.table import Row, markdown


def main() -> int:
    rows: list[Row] = []
    rows += scoring_bench.run()
    rows += planner_bench.run()
    rows += turn_bench.run()
    rows += utterance_bench.run()
    rows += reminders_bench.run()
    rows += footprint_bench.run()
    rows += e2e_bench.run()
    rows += wechat_bench.run()
    rows += web_bench.run()
    rows += webhook_bench.run()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
