"""The worked examples of POLICY.md §11 (tests/scoring/cases/policy_examples.yaml) as pictures' inputs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.pictures import RoadChart, ScoreCard, road_chart, score_card
from locales import translator
from scoring import Profile, assess
from scoring.planner import PlanResult, plan
from scoring.policy import Policy, load_policy
from scoring.road import Road, road

CASES = Path(__file__).parents[1] / "scoring" / "cases" / "policy_examples.yaml"


@cache
def policy() -> Policy:
    return load_policy()


@cache
def cases() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(CASES.read_text(encoding="utf-8")))


def names() -> list[str]:
    return [c["name"].split(":")[0] for c in cases()]


def case(name: str) -> dict[str, Any]:
    return next(c for c in cases() if c["name"].split(":")[0] == name)


def profile(name: str) -> Profile:
    return Profile.model_validate(case(name)["profile"])


def card(name: str, lang: str) -> ScoreCard:
    return score_card(assess(profile(name), policy()), translator(lang), policy())


def planned(name: str) -> tuple[PlanResult, Road]:
    p = profile(name)
    result = plan(p, policy())
    return result, road(p, result, policy())


def chart(name: str, lang: str) -> RoadChart:
    return road_chart(planned(name)[1], translator(lang))
