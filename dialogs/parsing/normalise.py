"""Fold the many ways a keyboard types one answer into one canonical string, and guard every parser's entry.

Why first and shared: people answer in whatever their keyboard produces — full-width digits from a
Chinese IME, ``。`` for a decimal point, curly apostrophes, invisible joiners pasted from a web page.
Every parser and the choice matcher compare normalized text, so those variants never reach them.
:func:`prepare` is strict about size before doing any work (answers longer than
:data:`~dialogs.parsing.errors.MAX_INPUT_CHARS`, before *and* after NFKC, which can expand a character
18-fold) so that a hostile message cannot stall the bot.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Final

from dialogs.parsing.errors import EMPTY, MAX_INPUT_CHARS, TOO_LONG, ParseError

# Applied after NFKC, which already folds full-width forms (１２３, ／, ，, ：, ％) to ASCII.
_PUNCT_MAP: Final = str.maketrans(
    {
        "。": ".",  # an IME often gives 。 for the decimal point; at the end it is a full stop
        "、": ",",
        "〜": "~",
        "−": "-",  # U+2212 minus sign
        "‘": "'",
        "’": "'",  # phone keyboards type curly apostrophes: "bachelor’s"
        "“": '"',
        "”": '"',
    }
)
_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_CJK_CLASS: Final = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_NEAR_CJK: Final = re.compile(f" (?=[{_CJK_CLASS}])|(?<=[{_CJK_CLASS}]) ")
_THOUSANDS: Final = re.compile(r"(?<![0-9.,])([0-9]{1,3})((?:,[0-9]{3})+)(?![0-9]|,[0-9])")
_TRAILING_JUNK: Final = ".,;:!?~\"'」』 "
_LEADING_JUNK: Final = ",;:!?\"'「『 "


def _is_invisible(ch: str) -> bool:
    """Format characters and variation selectors carry no meaning for us but break exact matching."""
    variation_selector = "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"
    return variation_selector or unicodedata.category(ch) == "Cf"


def _clean_chars(s: str) -> str:
    """Control characters become spaces (a pasted newline separates words); invisible ones go."""
    out: list[str] = []
    for ch in s:
        if unicodedata.category(ch) == "Cc":
            out.append(" ")
        elif not _is_invisible(ch):
            out.append(ch)
    return "".join(out)


def _drop_thousands_separators(s: str) -> str:
    """Only well-formed groups ("12,000", "1,234,567.5"): "1,2" or "12,00" may be decimal commas."""
    return _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), s)


def normalize(text: str) -> str:
    """Fold the many ways a keyboard can type the same answer into one canonical string.

    Every parser and the choice matcher compare normalized text, so "１２，０００元。" and "12000元"
    are the same answer. Spaces next to CJK characters are dropped (Chinese does not use them, and
    "35 岁" or "2 年 3 个月" then match the same patterns), and trailing sentence punctuation is
    removed. Total and linear-time; the length limit is enforced by the parsers, not here.
    """
    # Invisible characters go before NFKC so that it composes what they separated (idempotence).
    s = unicodedata.normalize("NFKC", _clean_chars(text)).translate(_PUNCT_MAP).translate(_ASCII_LOWER)
    s = " ".join(s.split())
    s = _SPACE_NEAR_CJK.sub("", s)
    s = s.rstrip(_TRAILING_JUNK).lstrip(_LEADING_JUNK)
    return _drop_thousands_separators(s)


def prepare(text: str) -> str:
    """Shared entry guard: bound the work first, then normalize, then refuse blank answers."""
    if not isinstance(text, str):  # e.g. a sticker message whose text is None
        raise ParseError(EMPTY)
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(TOO_LONG)
    s = normalize(text)
    if len(s) > MAX_INPUT_CHARS:  # NFKC can expand a character up to 18-fold
        raise ParseError(TOO_LONG)
    if not s:
        raise ParseError(EMPTY)
    return s
