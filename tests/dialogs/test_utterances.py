"""The utterance corpus (tests/dialogs/utterances/*.yaml): what people type, read by the question it answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.answers import AnswerContext, Wages, parse_answer
from dialogs.commands import Command, recognise
from dialogs.parsing import ParseError
from dialogs.questions import BY_ID
from scoring import load_policy
from tests.dialogs.chat import TODAY

CTX = AnswerContext(TODAY, dt.date(1990, 5, 20), Wages.on(load_policy(), TODAY))
CORPUS = sorted((Path(__file__).parent / "utterances").glob("*.yaml"))


def cases() -> list[Any]:
    rows = [row for path in CORPUS for row in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return [pytest.param(row["q"], row["text"], row["expect"], id=f"{row['q']}:{row['text']}") for row in rows]


@pytest.mark.parametrize(("qid", "text", "expect"), cases())
def test_utterance(qid: str, text: str, expect: object) -> None:
    q = BY_ID[qid]
    invocation = recognise(text)
    if expect == "skip":
        assert q.optional and invocation is not None and invocation.command is Command.SKIP
        return
    assert invocation is None, "an answer must not be taken for a command"
    if expect == "ask again":
        with pytest.raises(ParseError):
            parse_answer(q, text, CTX)
    else:
        assert parse_answer(q, text, CTX).values[qid] == expect


def test_the_corpus_is_not_empty() -> None:
    assert len(cases()) >= 50
