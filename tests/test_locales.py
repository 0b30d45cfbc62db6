"""Every message exists in both languages, with the same placeholders, and every key the core emits renders."""

from __future__ import annotations

import string

from hypothesis import given

from dialogs.report import assessment_json, render_assessment
from locales import LANGUAGES, catalogue, normalize_language, translator
from scoring import Profile, assess
from tests.scoring.strategies import profiles


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_all_translated() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert zh.keys() == en.keys()
    assert all(v.strip() for v in zh.values()) and all(v.strip() for v in en.values())


def test_placeholders_match_between_languages() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    mismatched = [k for k in zh if _placeholders(zh[k]) != _placeholders(en[k])]
    assert mismatched == []


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
