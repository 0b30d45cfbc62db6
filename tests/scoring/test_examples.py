"""POLICY.md §11 worked examples, one data-driven case each (tests/scoring/cases/policy_examples.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scoring import ITEM_IDS, assess, parse_profile

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "policy_examples.yaml").read_text(encoding="utf-8")
)


def _json_dates(value: Any) -> Any:
    """YAML turns ISO dates into date objects; the JSON contract has strings."""
    return value if not hasattr(value, "isoformat") else value.isoformat()


@pytest.mark.parametrize("case", CASES, ids=[c["name"].split(":")[0] for c in CASES])
def test_worked_example(case: dict[str, Any]) -> None:
    a = assess(parse_profile(case["profile"]))
    assert {i: a.points(i) for i in ITEM_IDS} == {i: case["items"].get(i, 0) for i in ITEM_IDS}
    assert a.total == case["total"]
    assert a.vetoed is case.get("vetoed", False)
    assert a.eligible is case.get("eligible", True)
    assert a.passes is case.get("passes", case["total"] >= 120)
    assert a.shortfall == max(0, 120 - case["total"])


def test_every_example_lists_all_items_in_contract_order() -> None:
    for case in CASES:
        a = assess(parse_profile(case["profile"]))
        assert tuple(i.id for i in a.items) == ITEM_IDS


def test_education_or_title_counts_exactly_once_in_e_prime() -> None:
    e_prime = next(c for c in CASES if c["name"].startswith("E'"))
    a = assess(parse_profile(e_prime["profile"]))
    assert not a.item("education").counted and a.item("education").points == 50
    assert a.item("title_skill").counted and not a.item("title_skill").certain
