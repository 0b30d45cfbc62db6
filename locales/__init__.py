"""Message catalogues (gettext .po, one set per language) and the translator the channels use.

Why read the .po files directly with Babel instead of compiled .mo files: there is no build step to
forget on a fresh clone, and the catalogues are small; they are parsed once per process, compiled in
memory into Babel ``Translations`` (one gettext domain per file) and cached.
Message ids are stable keys (``item.age``), so a missing translation is detectable in both languages.

Messages with a count are gettext plural entries, looked up with ``dngettext`` so the catalogue's
``Plural-Forms`` rule picks the form ("1 full year", "2 full years"; Chinese has one form).  Because
the ids are keys, ``msgid_plural`` has no English text to carry: it names the placeholder whose value
is the count, e.g. ``msgid "item.hukou_spouse"`` / ``msgid_plural "{years}"``.  So any caller that
passes the arguments (``t("item.hukou_spouse", years=1)``) gets the right form without knowing the
message is plural; ``t.n(key, count, **args)`` is the explicit form.  A message with a second count
nests a plural entry through the placeholder's format spec: ``{months:count.months}`` renders the
``count.months`` entry with that value ("1 month", "12 months").
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from io import BytesIO
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_CATALOGUE_DIR = {"zh": "zh_CN", "en": "en"}

_GENERAL_COUNT = 5
"""The count that picks the form for a value that is not a whole number (a template probe such as
``"@"``, or ``1.5``): English and Chinese both use their general ("other") form for it."""


def normalize_language(code: str | None) -> str:
    """Map a client's language code (``zh-hans``, ``en_US``, ``zh_CN``...) to one we have."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else ("en" if base.isalpha() else DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Plural:
    """A message with a count: the placeholder holding the count and the translated forms."""

    count: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class _Loaded:
    catalogs: tuple[tuple[str, Catalog], ...]  # (domain, catalogue) per .po file, by file name
    messages: dict[str, str]
    plurals: dict[str, Plural]
    domain: dict[str, str]  # key -> the domain (file) defining it
    translations: Translations


def _count_name(key: str, msgid_plural: str) -> str:
    names = [name for _, name, _, _ in string.Formatter().parse(msgid_plural) if name is not None]
    if len(names) != 1 or not names[0] or msgid_plural != f"{{{names[0]}}}":
        raise ValueError(f"msgid_plural of {key!r} must name its count placeholder, like \"{{years}}\"")
    return names[0]


@lru_cache(maxsize=len(LANGUAGES))
def _load(lang: str) -> _Loaded:
    """Every ``.po`` file of the language folder (``jifen.po`` for scoring and plans, ``dialogs.po``
    for the conversation...), so each part of the product owns its file; a key defined twice is an
    error rather than a silent override, and so is a malformed file (e.g. more forms than the file's
    ``Plural-Forms`` allows)."""
    folder = _CATALOGUE_DIR[normalize_language(lang)]
    directory = resources.files("locales").joinpath(f"{folder}/LC_MESSAGES")
    catalogs: list[tuple[str, Catalog]] = []
    messages: dict[str, str] = {}
    plurals: dict[str, Plural] = {}
    domain: dict[str, str] = {}
    translations: Translations | None = None
    for po in sorted(directory.iterdir(), key=lambda e: e.name):
        if not po.name.endswith(".po"):
            continue
        name = po.name.removesuffix(".po")
        cat = read_po(BytesIO(po.read_bytes()), locale=folder, domain=name, abort_invalid=True)
        catalogs.append((name, cat))
        for m in cat:
            if not m.id:
                continue  # the header
            entry: str | Plural
            if isinstance(m.id, str):
                if not (isinstance(m.string, str) and m.string):
                    continue
                key, entry = m.id, m.string
            else:
                key, forms = str(m.id[0]), tuple(str(s) for s in m.string or ())
                if not all(forms):
                    continue
                entry = Plural(_count_name(key, str(m.id[1])), forms)
            if key in domain:
                raise ValueError(f"message {key!r} is defined twice in the {folder} catalogues")
            domain[key] = name
            if isinstance(entry, Plural):
                plurals[key] = entry
            else:
                messages[key] = entry
        compiled = BytesIO()
        write_mo(compiled, cat, use_fuzzy=True)
        compiled.seek(0)
        part = Translations(compiled, domain=name)
        translations = part if translations is None else translations.add(part)
    if translations is None:
        raise ValueError(f"no catalogues in locales/{folder}/LC_MESSAGES")
    return _Loaded(tuple(catalogs), messages, plurals, domain, translations)


def catalogue(lang: str) -> dict[str, str]:
    """All translated messages of one language without a count, keyed by message id."""
    return _load(lang).messages


def plurals(lang: str) -> Mapping[str, Plural]:
    """All translated messages of one language with a count, keyed by message id."""
    return _load(lang).plurals


def catalogs(lang: str) -> tuple[tuple[str, Catalog], ...]:
    """The parsed ``.po`` files of one language as (domain, Babel catalogue), for the catalogue checks."""
    return _load(lang).catalogs


def _whole(count: Any) -> int | None:
    if isinstance(count, bool):
        return None
    if isinstance(count, int):
        return count
    if isinstance(count, float) and count.is_integer():
        return int(count)
    if isinstance(count, str) and count.strip().lstrip("+-").isdigit():
        return int(count)
    return None


@lru_cache(maxsize=4096)
def _has_format_spec(text: str) -> bool:
    return any(spec for _, _, spec, _ in string.Formatter().parse(text))


class _Formatter(string.Formatter):
    """``str.format`` semantics, plus a format spec naming a plural entry (``{months:count.months}``)."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec and self.t.is_plural(format_spec):
            return self.t.n(format_spec, value)
        return str(super().format_field(value, format_spec))


class Translator:
    """Looks up a key and formats it with named arguments (``{name}`` placeholders)."""

    def __init__(self, lang: str, *, strict: bool = False) -> None:
        self.lang = normalize_language(lang)
        self._own = _load(self.lang)
        self._fallback = _load("en")
        self._formatter = _Formatter(self)
        self.strict = strict

    def has(self, key: str) -> bool:
        return key in self._own.domain

    def is_plural(self, key: str) -> bool:
        source = self._source(key, strict=False)
        return source is not None and key in source.plurals

    def _source(self, key: str, *, strict: bool) -> _Loaded | None:
        if key in self._own.domain:
            return self._own
        if strict:
            raise KeyError(f"no {self.lang} translation for {key!r}")
        return self._fallback if key in self._fallback.domain else None

    def __call__(self, key: str, /, **args: Any) -> str:
        source = self._source(key, strict=self.strict)
        if source is None:
            return self._format(key, args)
        plural = source.plurals.get(key)
        if plural is not None:
            if plural.count not in args:
                raise KeyError(f"{key!r} is a message with a count: pass {plural.count}=")
            return self._plural(source, key, plural, args[plural.count], args)
        return self._format(source.translations.dgettext(source.domain[key], key), args)

    def n(self, key: str, count: Any, /, **args: Any) -> str:
        """The form of a message with a count that fits ``count`` (its count placeholder is set to it)."""
        source = self._source(key, strict=self.strict)
        if source is None:
            return self._format(key, args)
        plural = source.plurals.get(key)
        if plural is None:
            raise KeyError(f"{key!r} is not a message with a count")
        return self._plural(source, key, plural, count, {**args, plural.count: count})

    def _plural(self, source: _Loaded, key: str, plural: Plural, count: Any, args: dict[str, Any]) -> str:
        whole = _whole(count)
        n = _GENERAL_COUNT if whole is None else abs(whole)  # -1 point reads like 1 point (CLDR operand n)
        text = source.translations.dngettext(source.domain[key], key, f"{{{plural.count}}}", n)
        return self._format(text, args)

    def _format(self, text: str, args: dict[str, Any]) -> str:
        if not args:
            return text
        return self._formatter.vformat(text, (), args) if _has_format_spec(text) else text.format(**args)


@lru_cache(maxsize=len(LANGUAGES) * 2)
def translator(lang: str | None, strict: bool = False) -> Translator:
    return Translator(normalize_language(lang), strict=strict)
