"""Turn a chat user's free-text answer into a typed value, or a stable error code.

Why a package of its own: people answer a questionnaire in whatever their keyboard produces — Chinese
or English, full-width digits from a Chinese IME, ``1.2万`` or ``12k`` for a salary, ``三年半`` for a
duration, ``②`` for the second option. The questionnaire state machine must not care; it asks a
parser for a value and, on failure, re-asks with a hint chosen by :attr:`ParseError.code`. So:

* every parser returns a typed value or raises :class:`ParseError` — never anything else, whatever
  the input, because a crash here ends the conversation;
* codes are short, stable identifiers (see ``ERROR_CODES``) that the caller maps to localized text;
  wording lives in the message catalogues, not here;
* answers longer than :data:`MAX_INPUT_CHARS` are rejected before any work, and every regular
  expression is linear-time, so a hostile message cannot stall the bot;
* nothing reads the clock: relative answers ("明天", "去年5月") resolve against a ``today`` the caller
  passes, which keeps the parsers pure and the tests deterministic;
* stdlib only, so the package can be reused by any channel or script without extra installs. It is
  kept in-house on purpose: general-purpose libraries (cn2an, dateparser, jionlp) were measured and
  guess silently where asking again is right.

When an answer is plausibly read two ways ("1/3/2027", "三五千", "30-40") the parsers say
``ambiguous`` rather than guess: a wrong guess silently corrupts the points estimate, whereas a
follow-up question costs one message. What a question can settle is left to it: :func:`parse_spans`
returns a two-digit year ("27年") as both centuries and a month or a year as the stretch of days it
names, and dialogs.when picks within the question's bounds; a lower bound ("五年多") comes back marked,
for the question to count where that is safe.

One module per kind of answer, each importing only those below it (no cycles)::

    errors      ParseError, the codes, MAX_INPUT_CHARS
    normalise   normalize(), and prepare(): the entry guard every parser calls first
    phrases     strip_hedges ("大概…吧", "I think…"), strip_words, clauses
    numerals    Arabic / Chinese numerals with units          english   English cardinal words
    numbers     parse_number, parse_int, parse_number_at_least (hedges, currency, sign, "100多万")
    money       parse_money_cny, parse_multiple
    durations   parse_duration_months, parse_duration_at_least ("交了五年多了"), parse_age
    dates       parse_date, parse_month (strict: one date, one month)
    spans       parse_spans (a day, month, part of one, year, "三年前", "next March"), parse_month_day
    yes_no      parse_yes_no                                  choices   Choice, match_choice

This ``__init__`` re-exports the public parsers and codes; the helpers the modules share with each
other (``prepare``, ``numeral``, ``number``...) are not part of that public surface.
"""

from dialogs.parsing.choices import Choice, match_choice
from dialogs.parsing.dates import parse_date, parse_month
from dialogs.parsing.durations import parse_age, parse_duration_at_least, parse_duration_months
from dialogs.parsing.errors import (
    AMBIGUOUS,
    EMPTY,
    ERROR_CODES,
    MAX_INPUT_CHARS,
    NO_SUCH_CHOICE,
    NO_YEAR,
    NOT_A_DATE,
    NOT_A_DURATION,
    NOT_A_NUMBER,
    NOT_AN_INTEGER,
    NOT_YES_NO,
    OUT_OF_RANGE,
    TOO_LONG,
    ParseError,
)
from dialogs.parsing.money import parse_money_cny, parse_multiple
from dialogs.parsing.normalise import normalize
from dialogs.parsing.numbers import parse_int, parse_number
from dialogs.parsing.phrases import clauses, strip_hedges
from dialogs.parsing.spans import Precision, Span, parse_month_day, parse_spans
from dialogs.parsing.yes_no import parse_yes_no

__all__ = [
    "AMBIGUOUS",
    "EMPTY",
    "ERROR_CODES",
    "MAX_INPUT_CHARS",
    "NOT_AN_INTEGER",
    "NOT_A_DATE",
    "NOT_A_DURATION",
    "NOT_A_NUMBER",
    "NOT_YES_NO",
    "NO_SUCH_CHOICE",
    "NO_YEAR",
    "OUT_OF_RANGE",
    "TOO_LONG",
    "Choice",
    "ParseError",
    "Precision",
    "Span",
    "clauses",
    "match_choice",
    "normalize",
    "parse_age",
    "parse_date",
    "parse_duration_at_least",
    "parse_duration_months",
    "parse_int",
    "parse_money_cny",
    "parse_month",
    "parse_month_day",
    "parse_multiple",
    "parse_number",
    "parse_spans",
    "parse_yes_no",
    "strip_hedges",
]
