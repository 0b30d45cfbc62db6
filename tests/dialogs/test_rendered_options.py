"""Every choice question accepts what the bot shows: each option's label (zh and en, with or without its
parenthesised part, full-width or half-width brackets), its number, and its button."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dialogs.answers import AnswerContext, Wages, parse_answer, parse_button
from dialogs.parsing import AMBIGUOUS, ParseError, normalize
from dialogs.questions import QUESTIONS, Kind, Question
from locales import LANGUAGES, translator
from scoring import load_policy
from tests.dialogs.chat import TODAY

CTX = AnswerContext(TODAY, dt.date(1990, 5, 20), Wages.on(load_policy(), TODAY))
CHOICE_QUESTIONS = [q for q in QUESTIONS if q.kind is Kind.CHOICE]
_PARENTHESISED = re.compile(r"\s*[（(][^（()）]*[)）]")
_TO_HALF = str.maketrans("（）", "()")
_TO_FULL = str.maketrans("()", "（）")


def label_variants(label: str) -> set[str]:
    """The label as shown, with the other kind of brackets, and without its parenthesised part."""
    variants = {label, label.translate(_TO_HALF), label.translate(_TO_FULL)}
    if (bare := _PARENTHESISED.sub("", label).strip()) and bare != label:
        variants.add(bare)
    return variants


def stored(q: Question, text: str) -> object:
    return parse_answer(q, text, CTX).values[q.id]


CASES = [
    pytest.param(q, i, lang, id=f"{q.id}-{o.value}-{lang}")
    for q in CHOICE_QUESTIONS for i, o in enumerate(q.options) for lang in LANGUAGES
]


@pytest.mark.parametrize(("q", "index", "lang"), CASES)
def test_every_rendered_label_is_understood(q: Question, index: int, lang: str) -> None:
    option = q.options[index]
    for text in label_variants(translator(lang)(option.label)):
        if normalize(text) in q.ambiguous:  # "本科（无学士学位）" without its brackets is the bare "本科"
            with pytest.raises(ParseError) as err:
                stored(q, text)
            assert err.value.code == AMBIGUOUS
        else:
            assert stored(q, text) == option.value, text


@pytest.mark.parametrize(("q", "index"), [
    pytest.param(q, i, id=f"{q.id}-{i + 1}") for q in CHOICE_QUESTIONS for i in range(len(q.options))
])
def test_every_option_number_and_button_is_understood(q: Question, index: int) -> None:
    option = q.options[index]
    assert stored(q, str(index + 1)) == option.value
    assert parse_button(q, option.value, CTX).values[q.id] == option.value


def test_the_education_buttons_do_not_hit_the_bare_bachelor_question() -> None:
    education = next(q for q in CHOICE_QUESTIONS if q.id == "education")
    assert parse_button(education, "bachelor", CTX).values == {"education": "bachelor", "edu_part_time": False}


@pytest.mark.parametrize("text", ["no", "No", "nope", "not", "yes", "ok", "no way", "否", "没有", "不"])
def test_a_yes_no_word_is_not_a_month(text: str) -> None:
    """ "no" was read as "Nov": a yes/no word, or two Latin letters, never match a label partially."""
    birth_month = next(q for q in CHOICE_QUESTIONS if q.id == "birth_month")
    with pytest.raises(ParseError):
        stored(birth_month, text)


@pytest.mark.parametrize(("text", "month"), [("nov", "11"), ("November", "11"), ("mar", "3"), ("march", "3"),
                                             ("may", "5"), ("sept", "9"), ("十一月", "11"), ("5月", "5")])
def test_month_names_and_abbreviations_still_work(text: str, month: str) -> None:
    birth_month = next(q for q in CHOICE_QUESTIONS if q.id == "birth_month")
    assert stored(birth_month, text) == month
