"""The contribution-base history: what people say (tests/dialogs/utterances/base.yml), how it is stored, and the
months it gives the core.

Why its own file: the history spans four questions and a loop, and a misread here costs 25 to 100 points
without anyone noticing. The corpus rows are read as the conversation reads them: with the context the
earlier answers give (the 48-month window, the start of the later period, the finished rounds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.answers import parse_answer
from dialogs.commands import Command, recognise
from dialogs.parsing import ParseError
from dialogs.profile_build import Calendar, answer_context
from dialogs.questions import BY_ID
from scoring import load_policy
from tests.dialogs.chat import TODAY

CAL = Calendar.on(load_policy(), TODAY)
CORPUS = Path(__file__).parent / "utterances" / "base.yml"
CONTEXT: dict[str, Any] = {"birth_date": "1990-05-20", "insurance_months": 96}


def rows() -> list[Any]:
    return [pytest.param(row, id=f"{row['q']}:{row['text']}") for row in yaml.safe_load(CORPUS.read_text("utf-8"))]


@pytest.mark.parametrize("row", rows())
def test_what_people_say_about_their_base(row: dict[str, Any]) -> None:
    q = BY_ID[row["q"]]
    text, expect = row["text"], row["expect"]
    invocation = recognise(text)
    if expect == "skip":
        assert q.optional and invocation is not None and invocation.command is Command.SKIP
        return
    if expect == "ask again" and invocation is not None:
        assert invocation.command is Command.SKIP and not q.optional  # "不知道" at a required question
        return
    assert invocation is None, "an answer must not be taken for a command"
    ctx = answer_context({**CONTEXT, **row.get("answers", {})}, CAL)
    if expect == "ask again":
        with pytest.raises(ParseError) as err:
            parse_answer(q, text, ctx)
        if "code" in row:
            assert err.value.code == row["code"]
        return
    values = parse_answer(q, text, ctx).values
    assert values[q.id] == expect
    for key, value in row.get("also", {}).items():
        assert values.get(key) == value, key


def test_the_base_corpus_covers_both_languages() -> None:
    texts = [row["text"] for row in yaml.safe_load(CORPUS.read_text("utf-8"))]
    zh = [t for t in texts if any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert len(zh) >= 60 and len(texts) - len(zh) >= 20
