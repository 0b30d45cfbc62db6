"""The contribution-base history's corpus rows live in tests/dialogs/utterances/base.yaml, read with the others by
tests/dialogs/test_utterances.py (with the earlier answers of each row as context); this file checks that the
base rows stay bilingual and cover every base question."""

from __future__ import annotations

from pathlib import Path

import yaml

CORPUS = Path(__file__).parent / "utterances" / "base.yaml"
BASE_QUESTIONS = {"base", "base_since", "base_prior", "base_prior_since"}


def test_the_base_corpus_covers_both_languages_and_every_base_question() -> None:
    rows = yaml.safe_load(CORPUS.read_text("utf-8"))
    zh = [r for r in rows if any("\u4e00" <= c <= "\u9fff" for c in r["text"])]
    assert len(zh) >= 60 and len(rows) - len(zh) >= 20
    assert {r["q"] for r in rows} == BASE_QUESTIONS
