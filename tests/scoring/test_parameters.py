"""The parameter files are typed at load: a malformed value fails there, naming the file and its path."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from scoring.actions import load_catalogue
from scoring.parameters import LEAVES, BaseTier, parameter_names
from scoring.policy import PolicyError, load_policy, parse_policy
from scoring.profile import AreaKind, Education

SOURCE = "test.yaml"


def _raw(name: str = "shanghai_points.yaml") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(resources.files("scoring").joinpath(f"params/{name}").read_text("utf-8"))
    return data


RAW = _raw()


def _values(d: dict[str, Any], name: str) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = d["parameters"][name]["values"]
    return values


def _error(mutate: Callable[[dict[str, Any]], object]) -> str:
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(PolicyError) as caught:
        parse_policy(data, SOURCE)
    return str(caught.value)


def test_the_real_file_round_trips() -> None:
    """Every dated value, typed and dumped again, is what the file says; dates, marks and citations are kept."""
    policy = load_policy()
    assert set(policy.parameters) == set(RAW["parameters"]) == set(LEAVES)
    for name, raw in RAW["parameters"].items():
        param = policy.parameters[name]
        assert param.description == raw.get("description", "")
        assert len(param.values) == len(raw["values"])
        dump = TypeAdapter(LEAVES[name]).dump_python
        for loaded, given_ in zip(param.values, raw["values"], strict=True):
            assert (loaded.start, loaded.conf, loaded.cite) == (given_["from"], given_["conf"], given_["cite"])
            dumped = dump(loaded.value, mode="json")
            if name == "title_skill.base_condition_levels":  # a set: the file's order is not kept
                assert sorted(dumped) == sorted(given_["value"])
            else:
                assert dumped == given_["value"], name
    meta = RAW["meta"]
    assert (policy.name, policy.valid_from, policy.valid_until, policy.cite) == (
        meta["name"], meta["valid_from"], meta["valid_until"], meta["cite"])


def test_reloading_the_dumped_values_gives_the_same_rules(tmp_path: Path) -> None:
    policy = load_policy()
    data = copy.deepcopy(RAW)
    for name, param in policy.parameters.items():
        dump = TypeAdapter(LEAVES[name]).dump_python
        for i, v in enumerate(param.values):
            data["parameters"][name]["values"][i]["value"] = dump(v.value, mode="json")
    path = tmp_path / "again.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    again = load_policy(path)
    for on in sorted(policy.dates | {policy.valid_from}):
        if on >= policy.valid_from:
            assert again.rules(on).params == policy.rules(on).params
            assert again.rules(on).entries == policy.rules(on).entries


def test_rules_are_typed_attributes() -> None:
    params = load_policy().rules(dt.date(2026, 1, 1)).params
    assert params.standard == 120
    assert params.age.cap == 30
    assert params.education.points[Education.BACHELOR_DEGREE] == 90
    assert params.remote_area.min_years[AreaKind.LINGANG] == 3
    assert params.contribution_base.tiers[0] == BaseTier(multiple=0.8, months=36, window=48, points=25)
    assert params.contribution_base.longest_window == 48
    assert params.insurance.cap is None
    assert params.renewal.reminder_days == (30, 7, 0)
    assert params.deduction.detention.points == -50


def test_the_wage_in_force_each_month_reaches_back_before_the_measures() -> None:
    policy = load_policy()
    june, july = dt.date(2025, 6, 1), dt.date(2025, 7, 1)
    assert policy.wage_for_month(june.year * 12 + 5).average_monthly_cny == 12307
    assert policy.wage_for_month(july.year * 12 + 6).average_monthly_cny == 12434
    assert policy.wage_for_month(2022 * 12 + 6).base_ceiling_cny == 34188  # 2022-07, before valid_from
    first = policy.wage_for_month(2021 * 12 + 6)  # 2021-07: the earliest period loaded (POLICY.md §6)
    assert (first.average_monthly_cny, first.base_floor_cny, first.base_ceiling_cny) == (10338, 5975, 31014)
    assert policy.wage_for_month(2022 * 12 + 5) is first  # 2022-06 is still in the 2021 period
    with pytest.raises(PolicyError, match="2021-06"):
        policy.wage_for_month(2021 * 12 + 5)
    assert policy.wage_change_months() == tuple(y * 12 + 6 for y in range(2021, 2027))


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("a string for a number", lambda d: _values(d, "age.cap")[0].update(value="30"),
     r"parameters\.age\.cap\.values\[0\]\.value: Input should be a valid integer"),
    ("a boolean for a number", lambda d: _values(d, "standard")[0].update(value=True),
     r"parameters\.standard\.values\[0\]\.value: Input should be a valid integer"),
    ("a fraction for a count", lambda d: _values(d, "eligibility.insurance_months")[0].update(value=6.5),
     r"parameters\.eligibility\.insurance_months\.values\[0\]\.value: "),
    ("a later dated value", lambda d: _values(d, "wage.average_monthly_cny")[3].update(value="12434"),
     r"parameters\.wage\.average_monthly_cny\.values\[3\]\.value: "),
    ("a missing parameter", lambda d: d["parameters"].pop("age.cap"), r"parameters\.age\.cap: missing parameter"),
    ("an unknown parameter", lambda d: d["parameters"].update({"age.bonus": d["parameters"]["age.cap"]}),
     r"parameters\.age\.bonus: unknown parameter"),
    ("an unknown field of a tier", lambda d: _values(d, "contribution_base.tiers")[0]["value"][1].update(extra=1),
     r"parameters\.contribution_base\.tiers\.values\[0\]\.value\[1\]\.extra: unknown field"),
    ("a tier without points", lambda d: _values(d, "contribution_base.tiers")[0]["value"][2].pop("points"),
     r"parameters\.contribution_base\.tiers\.values\[0\]\.value\[2\]\.points: Field required"),
    ("unsorted tiers", lambda d: _values(d, "contribution_base.tiers")[0]["value"].reverse(),
     r"parameters\.contribution_base\.tiers\.values\[0\]\.value: tiers must be lowest first"),
    ("a tier needing more months than its window",
     lambda d: _values(d, "contribution_base.tiers")[0]["value"][0].update(months=49),
     r"parameters\.contribution_base\.tiers\.values\[0\]\.value\[0\]: months must be positive and not exceed"),
    ("a level without points", lambda d: _values(d, "education.points")[0]["value"].pop("master"),
     r"parameters\.education\.points\.values\[0\]\.value: no points for master"),
    ("an unknown level", lambda d: _values(d, "education.points")[0]["value"].update(phd=120),
     r"parameters\.education\.points\.values\[0\]\.value\.phd \(the key\): Input should be"),
    ("a scale that falls", lambda d: _values(d, "education.points")[0]["value"].update(master=80),
     r"parameters\.education\.points\.values\[0\]\.value: master must not score less than bachelor_degree"),
    ("an unknown title in a list", lambda d: _values(d, "title_skill.base_condition_levels")[0]["value"].append("x"),
     r"parameters\.title_skill\.base_condition_levels\.values\[0\]\.value\[4\]: Input should be"),
    ("an area without a start", lambda d: _values(d, "remote_area.min_years")[0]["value"].pop("new_city"),
     r"parameters\.remote_area\.min_years\.values\[0\]\.value: no start for new_city"),
    ("a deduction that adds", lambda d: _values(d, "deduction.detention.points")[0].update(value=50),
     r"parameters\.deduction\.detention\.points\.values\[0\]\.value: Input should be less than 0"),
    ("an empty list of offsets", lambda d: _values(d, "renewal.reminder_days")[0].update(value=[]),
     r"parameters\.renewal\.reminder_days\.values\[0\]\.value: "),
    ("an anchor age out of the bounds", lambda d: _values(d, "age.anchor_age")[0].update(value=70),
     r"parameters\.age \(the values in force on 2023-01-01\): anchor_age must lie between"),
    ("a floor above the average before valid_from", lambda d: _values(d, "wage.base_floor_cny")[0].update(value=20000),
     r"parameters\.wage \(the values in force on 2021-07-01\): base_floor_cny <= average_monthly_cny"),
    ("a parameter starting late", lambda d: _values(d, "age.cap")[0].update({"from": dt.date(2024, 1, 1)}),
     r"parameters\.age\.cap: no value in force on 2023-01-01"),
    ("dated values out of order", lambda d: _values(d, "wage.average_monthly_cny").reverse(),
     r"parameters\.wage\.average_monthly_cny\.values: dated values must be in increasing order"),
    ("a confidence mark unknown", lambda d: _values(d, "age.cap")[0].update(conf="X"),
     r"parameters\.age\.cap\.values\[0\]\.conf: "),
    ("a value without a citation", lambda d: _values(d, "age.cap")[0].pop("cite"),
     r"parameters\.age\.cap\.values\[0\]\.cite: Field required"),
    ("an end before the start", lambda d: d["meta"].update(valid_until=dt.date(2020, 1, 1)),
     r"meta\.valid_until: must not be before meta\.valid_from"),
]


@pytest.mark.parametrize(("mutate", "where"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_value_fails_at_load_naming_file_and_path(mutate: Callable[[dict[str, Any]], object],
                                                              where: str) -> None:
    message = _error(mutate)
    assert message.startswith(f"policy file {SOURCE}: "), message
    assert re.search(where, message), message


def test_a_malformed_file_on_disk_is_named(tmp_path: Path) -> None:
    data = copy.deepcopy(RAW)
    _values(data, "age.cap")[0]["value"] = "thirty"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"^policy file {re.escape(str(path))}: parameters\.age\.cap\.values\[0\]"):
        load_policy(path)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(LEAVES)),
       bad=st.one_of(st.text(max_size=5), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)))
def test_any_parameter_given_a_value_of_no_parameter_type_fails_at_its_path(name: str, bad: object) -> None:
    """No parameter is a string or a loose mapping of names: each such value is refused where it stands."""
    message = _error(lambda d: _values(d, name)[-1].update(value=bad))
    last = len(RAW["parameters"][name]["values"]) - 1
    assert message.startswith(f"policy file {SOURCE}: parameters.{name}.values[{last}].value"), message


@settings(max_examples=40, deadline=None)
@given(tiers=st.permutations(range(4)))
def test_tiers_load_only_lowest_first(tiers: list[int]) -> None:
    def reorder(d: dict[str, Any]) -> None:
        value = _values(d, "contribution_base.tiers")[0]["value"]
        value[:] = [value[i] for i in tiers]

    data = copy.deepcopy(RAW)
    reorder(data)
    if tiers == sorted(tiers):
        assert parse_policy(data, SOURCE).rules(dt.date(2026, 1, 1)).params.contribution_base.tiers[0].multiple == 0.8
    else:
        assert "tiers must be lowest first" in _error(reorder)


def test_citation_names_are_checked_against_the_schema() -> None:
    assert parameter_names("age.cap", "wage.employee_rate") == ("age.cap", "wage.employee_rate")
    with pytest.raises(KeyError, match=r"age\.kap"):
        parameter_names("age.cap", "age.kap")


ACTIONS_RAW = _raw("actions.yaml")

MALFORMED_ACTIONS: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("an unknown requirement", lambda d: d["actions"][0]["requires"].update(height=2),
     r"actions\[0\]\.requires\.height \(action skill_5\): unknown field"),
    ("an unknown level", lambda d: d["actions"][3]["requires"].update(title_is=["skill_9"]),
     r"actions\[3\]\.requires\.title_is\[0\] \(action skill_2\): Input should be"),
    ("two effects", lambda d: d["actions"][0]["effect"].update(education="college"),
     r"actions\[0\]\.effect \(action skill_5\): exactly one effect"),
    ("an unknown effect", lambda d: d["actions"][0].update(effect={"salary": 2}),
     r"actions\[0\]\.effect\.salary \(action skill_5\): unknown field"),
    ("a multiple as text", lambda d: d["actions"][11].update(effect={"multiple": "0.8x"}),
     r"actions\[11\]\.effect\.multiple \(action base_0_8\): "),
    ("years per level typo", lambda d: d["actions"][5]["requires"]["experience_years"].update(colege=6),
     r"actions\[5\]\.requires\.experience_years\.colege \(the key\) \(action title_intermediate\)"),
    ("a ladder to nowhere", lambda d: d["actions"][1]["requires"]["after_level"].update(level="skill_9"),
     r"actions\[1\]\.requires\.after_level\.level \(action skill_4\): Input should be"),
    ("a ladder without the level below", lambda d: d["actions"][1]["requires"]["after_level"].update(level="none"),
     r"actions \(skill_4\): requires\.after_level: no action obtains none"),
    ("a ladder that loops", lambda d: d["actions"][0]["requires"].update(after_level={"level": "skill_2", "years": 1}),
     r"requires\.after_level: the ladder loops"),
    ("a one-off cost range upside down", lambda d: d["actions"][8].update(one_off_cost_cny=[9000, 100]),
     r"actions\[8\] \(action degree_bachelor\): one_off_cost_cny: \[min, max\]"),
    ("the same id twice", lambda d: d["actions"][1].update(id="skill_5"), r"actions \(skill_5\): the id is used twice"),
]


@pytest.mark.parametrize(("mutate", "where"), [m[1:] for m in MALFORMED_ACTIONS],
                         ids=[m[0] for m in MALFORMED_ACTIONS])
def test_a_malformed_action_fails_at_load_naming_file_and_path(
        tmp_path: Path, mutate: Callable[[dict[str, Any]], object], where: str) -> None:
    data = copy.deepcopy(ACTIONS_RAW)
    mutate(data)
    path = tmp_path / "actions.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_catalogue(path)
    assert str(caught.value).startswith(f"actions file {path}: "), caught.value
    assert re.search(where, str(caught.value)), caught.value


def test_actions_are_typed() -> None:
    by_id = {a.id: a for a in load_catalogue().actions}
    assert by_id["base_2"].effect_kind == "multiple" and by_id["base_2"].effect_value == 2.0
    assert by_id["title_intermediate"].requires.experience_years == {
        Education.COLLEGE: 6, Education.BACHELOR: 4, Education.BACHELOR_DEGREE: 4, Education.MASTER: 2,
        Education.DOCTOR: 0}
    assert by_id["degree_bachelor"].effect_value is Education.BACHELOR
