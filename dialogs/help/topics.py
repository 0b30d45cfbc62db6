"""The topics people ask about, loaded once from the data files beside this module (topics.yaml, ...).

Why data: what a topic says, where its facts come from and how sure they are belong together and change with the
policy, not with the code — the rules-as-data style of scoring/params. A later issue (#15, the guide) adds its
intents by adding topics (a *.yaml file here and its words in a .po file), without touching the recogniser.
A malformed file stops start-up with the file and the topic named, as the policy loader does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from dialogs.questions import BY_ID, DONE
from locales import LANGUAGES, translator

Confidence = Literal["H", "M", "L"]
_CONFIDENCE: frozenset[str] = frozenset({"H", "M", "L"})
_FIELDS = frozenset({"id", "patterns", "help_for", "bare", "current", "render", "text", "conf", "cite"})
HELP_STATES: frozenset[str] = frozenset({*BY_ID, DONE})
"""The states that have a help topic: every question, and the state after the interview."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One thing a person may ask about; ``pattern`` is None for a topic reached only as a question's help."""

    id: str
    text: str
    pattern: re.Pattern[str] | None
    help_for: tuple[str, ...]
    bare: bool
    current: bool
    render: str | None
    conf: Confidence
    cite: str

    @property
    def confirm(self) -> bool:
        """M and L facts are said with "confirm with your district talent service centre" (POLICY.md intro)."""
        return self.conf != "H"

    def matches(self, normalised: str) -> bool:
        return self.pattern is not None and self.pattern.search(normalised) is not None


@dataclass(frozen=True, slots=True)
class Topics:
    ordered: tuple[Topic, ...]
    """Searched in this order; the first match is answered (specific topics come first in the files)."""
    by_id: dict[str, Topic]
    help_of: dict[str, Topic]
    """State (question id or "done") -> the topic explaining it."""
    searched: tuple[Topic, ...]
    """The topics with patterns, without the "this question" phrases."""
    phrases: tuple[Topic, ...]
    """The "current" topics: phrases that ask about the question being asked."""


class TopicError(ValueError):
    """A topic file that does not follow the schema described at the top of topics.yaml."""


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TopicError(f"{where}: expected a list of non-empty strings")
    return tuple(value)


def _topic(raw: Any, where: str, renderers: frozenset[str]) -> Topic:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise TopicError(f"{where}: a topic needs an id")
    where = f"{where} topic {raw['id']!r}"
    unknown = set(raw) - _FIELDS
    if unknown:
        raise TopicError(f"{where}: unknown fields {sorted(unknown)}")
    conf, cite = raw.get("conf"), raw.get("cite")
    if conf not in _CONFIDENCE:
        raise TopicError(f"{where}: conf must be H, M or L")
    if not isinstance(cite, str) or not cite.strip():
        raise TopicError(f"{where}: every topic cites its source")
    patterns = _strings(raw.get("patterns"), f"{where} patterns")
    try:
        pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    except re.error as err:
        raise TopicError(f"{where}: bad pattern: {err}") from None
    help_for = _strings(raw.get("help_for"), f"{where} help_for")
    if bad := [s for s in help_for if s not in HELP_STATES]:
        raise TopicError(f"{where}: help_for names no question: {bad}")
    render = raw.get("render")
    if render is not None and render not in renderers:
        raise TopicError(f"{where}: no renderer {render!r} in dialogs/help/render.py")
    current = raw.get("current", False) is True
    if pattern is None and not help_for:
        raise TopicError(f"{where}: a topic without patterns must be some question's help")
    if current and (help_for or pattern is None):
        raise TopicError(f"{where}: a 'current' topic has patterns and stands for the current question's help")
    text = raw.get("text", f"help.{raw['id']}")
    if render is None and not current and not all(translator(lang).has(text) for lang in LANGUAGES):
        raise TopicError(f"{where}: message {text!r} is missing from a help.po catalogue")
    return Topic(raw["id"], text, pattern, help_for, raw.get("bare", False) is True, current, render, conf, cite)


def load(files: list[tuple[str, str]], renderers: frozenset[str]) -> Topics:
    """Topics from (name, YAML text) pairs, checked: unique ids, one help topic per state at most."""
    ordered: list[Topic] = []
    by_id: dict[str, Topic] = {}
    help_of: dict[str, Topic] = {}
    for name, text in files:
        data = yaml.safe_load(text)
        if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
            raise TopicError(f"{name}: expected a mapping with a 'topics' list")
        for i, raw in enumerate(data["topics"]):
            topic = _topic(raw, f"{name}[{i}]", renderers)
            if topic.id in by_id:
                raise TopicError(f"{name}: topic {topic.id!r} is defined twice")
            for state in topic.help_for:
                if state in help_of:
                    raise TopicError(f"{name}: {state!r} is explained by both {help_of[state].id!r} and {topic.id!r}")
                help_of[state] = topic
            by_id[topic.id] = topic
            ordered.append(topic)
    searched = tuple(t for t in ordered if t.pattern is not None and not t.current)
    phrases = tuple(t for t in ordered if t.current)
    return Topics(tuple(ordered), by_id, help_of, searched, phrases)


@lru_cache(maxsize=1)
def topics() -> Topics:
    """The packaged topic files (every *.yaml beside this module, by file name), loaded once per process."""
    from dialogs.help.render import RENDERERS  # the renderers' module imports this one for Topic

    folder = resources.files("dialogs.help")
    files = sorted((e.name, e.read_text(encoding="utf-8")) for e in folder.iterdir() if e.name.endswith(".yaml"))
    return load(files, frozenset(RENDERERS))


def help_of(state: str) -> Topic | None:
    """The topic explaining ``state`` (a question id, or "done"), if it has one."""
    return topics().help_of.get(state)
