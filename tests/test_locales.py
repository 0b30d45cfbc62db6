"""Every message exists in both languages, with the same placeholders, and every key the core emits renders.

Messages with a count are plural entries: English has two forms, Chinese one, all with the same placeholders;
the breakdown, the report lines and the consent text read "1 full year", "2 full years", "1 point"...
"""

from __future__ import annotations

import re
import string
from typing import Any

import pytest
from hypothesis import given

from dialogs.replies import consent_message
from dialogs.report import assessment_json, render_assessment
from locales import LANGUAGES, catalogs, catalogue, normalize_language, plurals, translator
from scoring import Assessment, Profile, assess
from tests.scoring.helpers import score
from tests.scoring.strategies import profiles

FORMS = {"zh": 1, "en": 2}  # nplurals: Chinese does not inflect for number; English has one and other


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _specs(text: str) -> set[str]:
    return {spec for _, name, spec, _ in string.Formatter().parse(text) if name and spec}


def _texts(lang: str) -> dict[str, tuple[str, ...]]:
    """Every message of a language as its forms (one for a message without a count)."""
    return {**{k: (v,) for k, v in catalogue(lang).items()}, **{k: p.forms for k, p in plurals(lang).items()}}


def test_both_catalogues_have_the_same_keys_all_translated() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert zh.keys() == en.keys()
    assert all(v.strip() for v in zh.values()) and all(v.strip() for v in en.values())
    assert plurals("zh").keys() == plurals("en").keys()
    assert all(f.strip() for lang in LANGUAGES for p in plurals(lang).values() for f in p.forms)
    assert not catalogue("en").keys() & plurals("en").keys()  # a key is either with a count or without


def test_placeholders_match_between_languages() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    mismatched = [k for k in zh if _placeholders(zh[k]) != _placeholders(en[k])]
    assert mismatched == []


def test_plural_forms_have_the_same_placeholders_in_both_languages() -> None:
    zh, en = plurals("zh"), plurals("en")
    mismatched = [k for k in zh if len({frozenset(_placeholders(f)) for f in (*zh[k].forms, *en[k].forms)}) != 1]
    assert mismatched == []
    assert [k for k in zh if zh[k].count != en[k].count] == []
    assert [k for k in zh if not all(zh[k].count in _placeholders(f) for f in (*zh[k].forms, *en[k].forms))] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_declares_its_plural_rule_and_each_entry_has_that_many_forms(lang: str) -> None:
    for domain, cat in catalogs(lang):
        assert cat.num_plurals == FORMS[lang], domain
        assert cat.plural_expr == ("0" if lang == "zh" else "(n != 1)"), domain
    assert plurals(lang), "the count messages are plural entries"
    assert {k: len(p.forms) for k, p in plurals(lang).items() if len(p.forms) != FORMS[lang]} == {}
    if lang == "en":  # two forms that say the same thing would hide a missed "1 points"
        assert [k for k, p in plurals(lang).items() if p.forms[0] == p.forms[1]] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_format_spec_only_ever_nests_a_count_message(lang: str) -> None:
    specs = {s for forms in _texts(lang).values() for f in forms for s in _specs(f)}
    assert specs or lang == "zh"  # "{months:count.months}" in the English insurance line
    assert specs <= plurals(lang).keys()


def _args(key: str, lang: str, n: int) -> dict[str, Any]:
    """The count ``n``, 3 for a nested count ("in the last 3 years"), a dot for any other placeholder."""
    p = plurals(lang)[key]
    nested = {name for f in p.forms for _, name, spec, _ in string.Formatter().parse(f) if name and spec}
    return {**{name: "·" for f in p.forms for name in _placeholders(f)}, **dict.fromkeys(nested, 3), p.count: n}


def _expected(form: str, args: dict[str, Any]) -> str:
    """An English form filled in by hand: a nested count of 3 reads "3 years" / "3 months"."""
    return re.sub(r"\{(\w+):count\.(\w+)\}", r"{\1} \2", form).format(**args)


@pytest.mark.parametrize("key", sorted(plurals("en")))
def test_every_count_message_picks_its_form_by_the_count(key: str) -> None:
    en, zh = translator("en", strict=True), translator("zh", strict=True)
    one, other = plurals("en")[key].forms
    for n, form in ((1, one), (2, other), (0, other), (-1, one), (-2, other), (21, other)):
        args = _args(key, "en", n)
        assert en(key, **args) == en.n(key, n, **args) == _expected(form, args)
    for n in (0, 1, 2):
        args = _args(key, "zh", n)
        assert zh(key, **args) == zh.n(key, n, **args) == plurals("zh")[key].forms[0].format(**args)


def test_a_count_that_is_not_a_whole_number_takes_the_general_form() -> None:
    en = translator("en")
    assert en("report.points", points="@") == "@ pts"  # the probe tests/dialogs/test_transcripts.py builds on
    assert en("report.points", points="1") == "1 pt" and en("report.points", points="-150") == "-150 pts"
    assert en("chat.answer.months", months=1.5) == "1.5 months" and en("chat.answer.months", months=1.0) == "1.0 month"


def test_a_count_message_needs_its_count() -> None:
    with pytest.raises(KeyError, match="years"):
        translator("en")("item.hukou_spouse")
    with pytest.raises(KeyError, match="not a message with a count"):
        translator("en").n("report.passes", 1)


def test_language_codes_are_normalised() -> None:
    assert normalize_language("zh-hans") == "zh"
    assert normalize_language("zh_CN") == "zh"
    assert normalize_language("en-US") == "en"
    assert normalize_language("de") == "en"
    assert normalize_language(None) == "zh"


@given(profiles())
def test_every_assessment_renders_in_both_languages_without_missing_keys(p: Profile) -> None:
    a = assess(p)
    for lang in LANGUAGES:
        t = translator(lang, strict=True)
        text = render_assessment(a, t, only_nonzero=False)
        assert str(a.total) in text and "{" not in text
        data = assessment_json(a, t)
        assert all("{" not in i["explanation"] for i in data["items"])


def _breakdown_line(a: Assessment, lang: str, item: str) -> str:
    t = translator(lang, strict=True)
    name = t(f"item.name.{item}")
    lines = [line for line in render_assessment(a, t, only_nonzero=False).splitlines()
             if line.startswith((f"  {name}: ", f"  {name}*: "))]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(("months", "en", "zh"), [
    (0, "0 full years of Shanghai employee insurance (0 months)", "本市职工社保满 0 年（共 0 个月）"),
    (1, "0 full years of Shanghai employee insurance (1 month)", "本市职工社保满 0 年（共 1 个月）"),
    (12, "1 full year of Shanghai employee insurance (12 months)", "本市职工社保满 1 年（共 12 个月）"),
    (13, "1 full year of Shanghai employee insurance (13 months)", "本市职工社保满 1 年（共 13 个月）"),
    (24, "2 full years of Shanghai employee insurance (24 months)", "本市职工社保满 2 年（共 24 个月）"),
])
def test_the_insurance_line_agrees_with_both_of_its_counts(months: int, en: str, zh: str) -> None:
    contributions = [{"from": "2026-02", "to": "2026-02", "multiple": 0.6}] if months else []
    a = score(insurance_months=months, contributions=contributions)
    assert _breakdown_line(a, "en", "insurance_years").endswith(f" — {en}")
    assert _breakdown_line(a, "zh", "insurance_years").endswith(f" — {zh}")


@pytest.mark.parametrize(("married_on", "en", "zh"), [
    ("2025-02-01", "Married 1 full year to a Shanghai hukou holder", "与本市户籍人员结婚满 1 年"),
    ("2024-02-01", "Married 2 full years to a Shanghai hukou holder", "与本市户籍人员结婚满 2 年"),
    ("2025-06-01", "Married 0 full years to a Shanghai hukou holder", "与本市户籍人员结婚满 0 年"),
])
def test_the_marriage_line_says_year_or_years(married_on: str, en: str, zh: str) -> None:
    a = score(hukou_spouse_married_on=married_on)
    assert _breakdown_line(a, "en", "hukou_spouse").endswith(f" — {en}")
    assert _breakdown_line(a, "zh", "hukou_spouse").endswith(f" — {zh}")


def test_remote_area_and_public_service_lines_count_years_and_the_years_needed() -> None:
    a = score(public_service_since="2025-01-01", remote_area={"kind": "lingang", "since": "2024-02-01"})
    assert _breakdown_line(a, "en", "public_service").endswith(" — 1 full year in the field: counts from 5 years")
    assert _breakdown_line(a, "en", "remote_area").endswith(
        " — 2 full years in Lingang New Area (临港新片区): counts from 3 years")
    assert _breakdown_line(a, "zh", "public_service").endswith(" — 在该领域满 1 年：满 5 年起计分")


@pytest.mark.parametrize(("dates", "en", "zh"), [
    ([], "No administrative detention in the last 5 years", "近 5 年无行政拘留记录"),
    (["2025-01-01"], "1 administrative detention in the last 5 years", "近 5 年有 1 次行政拘留记录"),
    (["2025-01-01", "2024-01-01"], "2 administrative detentions in the last 5 years", "近 5 年有 2 次行政拘留记录"),
])
def test_the_deduction_line_counts_records(dates: list[str], en: str, zh: str) -> None:
    a = score(records=[{"kind": "detention", "date": d} for d in dates])
    assert _breakdown_line(a, "en", "detention").endswith(f" — {en}")
    assert _breakdown_line(a, "zh", "detention").endswith(f" — {zh}")


@pytest.mark.parametrize(("points", "en", "zh"), [(1, "1 pt", "1 分"), (2, "2 pts", "2 分"), (0, "0 pts", "0 分"),
                                                  (-1, "-1 pt", "-1 分"), (-50, "-50 pts", "-50 分")])
def test_the_points_of_a_breakdown_line(points: int, en: str, zh: str) -> None:
    a = score()
    items = tuple(i._replace(points=points) if i.id == "age" else i for i in a.items)
    a = a._replace(items=items)
    assert _breakdown_line(a, "en", "age").startswith(f"  Age: {en} — ")
    assert _breakdown_line(a, "zh", "age").startswith(f"  年龄: {zh} — ")


@pytest.mark.parametrize(("total", "en", "zh"), [
    (119, ["Total: 119 points (standard 120)", "❌ 1 point missing."],
     ["总分：119 分（标准分值 120）", "❌ 还差 1 分。"]),
    (118, ["Total: 118 points (standard 120)", "❌ 2 points missing."],
     ["总分：118 分（标准分值 120）", "❌ 还差 2 分。"]),
    (1, ["Total: 1 point (standard 120)", "❌ 119 points missing."],
     ["总分：1 分（标准分值 120）", "❌ 还差 119 分。"]),
    (0, ["Total: 0 points (standard 120)", "❌ 120 points missing."],
     ["总分：0 分（标准分值 120）", "❌ 还差 120 分。"]),
])
def test_the_report_total_and_shortfall(total: int, en: list[str], zh: list[str]) -> None:
    a = score()._replace(total=total)
    assert render_assessment(a, translator("en", strict=True)).splitlines()[1:3] == en
    assert render_assessment(a, translator("zh", strict=True)).splitlines()[1:3] == zh


@pytest.mark.parametrize(("days", "en", "zh"), [
    (1, "For how long: 1 day after your last message, or 1 day after",
     "最后一条消息后 1 天；如果居住证到期日更晚，则到期日后 1 天"),
    (2, "For how long: 2 days after your last message, or 2 days after",
     "最后一条消息后 2 天；如果居住证到期日更晚，则到期日后 2 天"),
])
def test_the_consent_text_counts_the_days_it_keeps_data(days: int, en: str, zh: str) -> None:
    assert en in consent_message("en", translator("en", strict=True), days).text
    assert zh in consent_message("zh", translator("zh", strict=True), days).text
