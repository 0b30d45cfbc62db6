"""Scoring-core throughput: assessments per second on already validated profiles, one core."""

from __future__ import annotations

import datetime as dt
import random
import time

from bench.table import Row
from scoring import Profile, assess, load_policy, parse_profile

TARGET_PER_SECOND = 20_000


def sample_profiles(n: int, seed: int = 7) -> list[Profile]:
    """Varied, realistic profiles (contributions over the last years, some bonuses and records)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        as_of = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
        month = as_of.year * 12 + as_of.month - 1
        start = month - rng.randint(12, 96)
        mid = rng.randint(start, month - 1)

        def ym(i: int) -> str:
            return f"{i // 12:04d}-{i % 12 + 1:02d}"

        out.append(parse_profile({
            "as_of": as_of.isoformat(),
            "birth_date": dt.date(rng.randint(1968, 2003), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "education": rng.choice(["none", "college", "bachelor", "bachelor_degree", "master", "doctor"]),
            "title_skill": rng.choice(["none", "none", "skill_4", "intermediate", "senior"]),
            "insurance_months": month - start + rng.randint(0, 60),
            "contributions": [
                {"from": ym(start), "to": ym(mid), "multiple": rng.choice([0.6, 0.8, 1.0])},
                {"from": ym(mid + 1), "to": ym(month - 1), "multiple": rng.choice([0.9, 1.2, 2.0, 3.0])},
            ] if mid + 1 <= month - 1 else [],
            "hukou_spouse_married_on": rng.choice([None, "2018-05-01"]),
            "remote_area": rng.choice([{"kind": "none"}, {"kind": "lingang", "since": "2021-01-01"}]),
            "records": rng.choice([[], [{"kind": "detention", "date": "2023-01-01"}]]),
        }))
    return out


def _round(profiles: list[Profile], seconds: float) -> float:
    policy = load_policy()
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for p in profiles:
            assess(p, policy)
        done += len(profiles)
    return done / elapsed


def run(rounds: int = 5, seconds: float = 1.0) -> list[Row]:
    """Best of several rounds, like timeit: on a shared 2-core machine the slower rounds measure the neighbours."""
    policy = load_policy()
    profiles = sample_profiles(500)
    for p in profiles:  # warm the per-epoch caches
        assess(p, policy)
    rates = sorted(_round(profiles, seconds) for _ in range(rounds))
    best, median = rates[-1], rates[len(rates) // 2]
    return [
        Row(f"assessments per second (scoring core, one process), best of {rounds} x {seconds:g} s", f"{best:,.0f}",
            f">= {TARGET_PER_SECOND:,}", best >= TARGET_PER_SECOND),
        Row("assessments per second, median round", f"{median:,.0f}", "reported", True),
    ]
