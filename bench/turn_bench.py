"""One conversational turn: parse the answer, fire the transition, render the reply, load/save in a MemoryStore.

Also the state machine's share of a turn on its own: add the session's model to the ``transitions``
machine, fire ``next``, read the state, remove the model (dialogs.flow.Flow does this once a turn).

The final answer of an interview is left out: it runs the scoring core and the planner, which
bench/scoring_bench.py measures on its own. Interviews use a fixed date and the answers of
POLICY.md §11 example B, typed as free text.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from bench.interviews import EXAMPLE_B, NOW
from bench.table import Row
from bot.sessions import make_engine
from bot.settings import Settings
from bot.store import MemoryStore
from dialogs.flow import Flow, Position
from dialogs.messages import Inbound

TARGET_MEDIAN_MS = 1.0
SCRIPT = EXAMPLE_B
ASKED = ("学信网查不到怎么办", "宝山算南北转型吗", "叉车证算吗", "什么是社保基数", "帮助", "is Songjiang a new town?")
"""Questions typed instead of an answer (dialogs/help), at the education question: answered, nothing stored."""


async def _interviews(count: int) -> list[float]:
    engine = make_engine(MemoryStore(), None, Settings(redis_url=None))
    timings: list[float] = []
    for n in range(count):
        user = f"bench:{n}"
        for line in SCRIPT[:-1]:
            start = time.perf_counter()
            await engine.handle(Inbound(user_key=user, now=NOW, text=line))
            timings.append((time.perf_counter() - start) * 1000)
        await engine.handle(Inbound(user_key=user, now=NOW, text=SCRIPT[-1]))
    return timings


async def _asked(count: int) -> list[float]:
    engine = make_engine(MemoryStore(), None, Settings(redis_url=None))
    timings: list[float] = []
    for n in range(count):
        user = f"bench-asked:{n}"
        for line in SCRIPT[:3]:  # consent, then the birth date: the education question is pending
            await engine.handle(Inbound(user_key=user, now=NOW, text=line))
        for line in ASKED:
            start = time.perf_counter()
            await engine.handle(Inbound(user_key=user, now=NOW, text=line))
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def _flow_steps(count: int) -> list[float]:
    """Microseconds per ``next`` from one question to the next (``award`` -> ``hukou_spouse``)."""
    flow = Flow()
    answers = {"birth_date": "1981-01-15", "education": "college", "insurance_months": 96, "award": "none"}
    timings: list[float] = []
    for _ in range(count):
        pos = Position("award", dict(answers), ["birth", "education", "title_skill", "insurance_months"])
        start = time.perf_counter()
        flow.advance(pos)
        timings.append((time.perf_counter() - start) * 1e6)
        assert pos.state == "hukou_spouse"
    return timings


def run(interviews: int = 200) -> list[Row]:
    asyncio.run(_interviews(5))  # warm caches (policy, catalogues, regexes)
    flow_median = statistics.median(_flow_steps(5000))
    timings = sorted(asyncio.run(_interviews(interviews)))
    median = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    asked_median = statistics.median(asyncio.run(_asked(interviews // 4)))
    return [
        Row("conversational turn, median (ms, MemoryStore, excl. final planning turn)", f"{median:.3f}",
            f"<= {TARGET_MEDIAN_MS:g}", median <= TARGET_MEDIAN_MS),
        Row("conversational turn, p99 (ms)", f"{p99:.3f}", "reported", True),
        Row("question asked instead of an answer, median (ms: recognised, answered, question re-asked)",
            f"{asked_median:.3f}", f"<= {TARGET_MEDIAN_MS:g}", asked_median <= TARGET_MEDIAN_MS),
        Row("state machine per turn, median (µs: add_model, next, remove_model)", f"{flow_median:.0f}", "reported",
            True),
    ]


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
