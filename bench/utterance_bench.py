"""The utterance corpus (tests/dialogs/utterances/*.yaml): how many real-style answers, in which language, and
how many the questions read as the corpus says (issue #12 asks for >= 400, >= 300 zh, >= 100 en, all passing)."""

from __future__ import annotations

from collections import Counter

from bench.table import Row
from tests.dialogs.test_utterances import check, language, rows

TARGET = {"rows": 400, "zh": 300, "en": 100}


def run() -> list[Row]:
    corpus = rows()
    langs = Counter(language(str(row["text"])) for row in corpus)
    passed = 0
    for row in corpus:
        try:
            check(row)
        except AssertionError:
            continue
        passed += 1
    big = len(corpus) >= TARGET["rows"] and langs["zh"] >= TARGET["zh"] and langs["en"] >= TARGET["en"]
    return [
        Row("utterance corpus, rows (zh / en)", f"{len(corpus)} ({langs['zh']} / {langs['en']})",
            f">= {TARGET['rows']} ({TARGET['zh']} / {TARGET['en']})", big),
        Row("utterance corpus, read as expected", f"{passed / len(corpus):.1%}", "100%", passed == len(corpus)),
    ]


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
