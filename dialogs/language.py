"""Which language to answer in before the user has chosen one.

Why from the text first: the first message is the best evidence (someone typing Chinese wants
Chinese even on an English phone), while "/start" or a bare number says nothing and falls back to
the client's locale.
"""

from __future__ import annotations

import re

from locales import normalize_language

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile("[A-Za-z]{2,}")


def detect_language(text: str | None, locale_hint: str | None) -> str:
    """zh for Chinese characters, en for English words (not a /command), else the client's locale."""
    if text:
        sample = text[:500]
        if _CJK.search(sample):
            return "zh"
        words = " ".join(w for w in sample.split() if not w.startswith("/"))
        if _LATIN_WORD.search(words):
            return "en"
    if locale_hint:
        return normalize_language(locale_hint)
    return "en"
