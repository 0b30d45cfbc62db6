"""Message catalogues (gettext .po, one per language) and the translator the channels use.

Why read the .po files directly with Babel instead of compiled .mo files: there is no build step to
forget on a fresh clone, and the catalogues are small; they are parsed once per process and cached.
Message ids are stable keys (``item.age``), so a missing translation is detectable in both languages.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import BytesIO
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_CATALOGUE_DIR = {"zh": "zh_CN", "en": "en"}


def normalize_language(code: str | None) -> str:
    """Map a client's language code (``zh-hans``, ``en_US``, ``zh_CN``...) to one we have."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else ("en" if base.isalpha() else DEFAULT_LANGUAGE)


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(lang: str) -> dict[str, str]:
    """All translated messages of one language, keyed by message id.

    Every ``.po`` file of the language folder is merged (``jifen.po`` for scoring and plans,
    ``dialogs.po`` for the conversation), so each part of the product owns its own file; a key
    defined twice is an error rather than a silent override.
    """
    folder = _CATALOGUE_DIR[normalize_language(lang)]
    messages: dict[str, str] = {}
    directory = resources.files("locales").joinpath(f"{folder}/LC_MESSAGES")
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".po"):
            continue
        cat = read_po(BytesIO(entry.read_bytes()), locale=folder)
        for m in cat:
            if not (m.id and m.string and isinstance(m.id, str)):
                continue
            if m.id in messages:
                raise ValueError(f"message {m.id!r} is defined twice in the {folder} catalogues")
            messages[m.id] = str(m.string)
    return messages


class Translator:
    """Looks up a key and formats it with named arguments (``{name}`` placeholders)."""

    def __init__(self, lang: str, *, strict: bool = False) -> None:
        self.lang = normalize_language(lang)
        self._messages = catalogue(self.lang)
        self._fallback = catalogue("en")
        self.strict = strict

    def has(self, key: str) -> bool:
        return key in self._messages

    def __call__(self, key: str, **args: Any) -> str:
        text = self._messages.get(key)
        if text is None:
            if self.strict:
                raise KeyError(f"no {self.lang} translation for {key!r}")
            text = self._fallback.get(key, key)
        return text.format(**args) if args else text


@lru_cache(maxsize=len(LANGUAGES) * 2)
def translator(lang: str | None, strict: bool = False) -> Translator:
    return Translator(normalize_language(lang), strict=strict)
