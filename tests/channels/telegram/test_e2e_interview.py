"""Whole interviews through Telegram: the real PTB client polling the fake Bot API, typed and tapped, zh and en.

The scripts are POLICY.md §11's worked examples from tests/dialogs/examples.py — the same answers the engine tests
type, here sent as Telegram messages and button presses. What this adds over the engine tests: the updates go
through PTB (getUpdates, de_json, the handlers, the per-user processor), the replies through HTML rendering and
sendMessage, and each button press marks its question message with the chosen answer (editMessageText).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.channels.telegram.render import render
from bot.store import SessionStore
from dialogs import advice, replies
from dialogs.messages import Outbound
from dialogs.profile_build import Calendar, build_profile
from dialogs.questions import DONE
from dialogs.session import Session
from dialogs.whatif import interpret
from locales import translator
from scoring import Profile, assess, load_policy
from scoring.whatif import whatif
from tests.channels.telegram.bot_harness import START, BotHarness, TgUser, keyboard_data
from tests.channels.telegram.fake_bot_api import FakeBotApi, parse_html
from tests.dialogs.examples import EXAMPLES, Example, assert_scores_as_example

BY_NAME = {e.name: e for e in EXAMPLES}
RUNS = [("B", "zh-text"), ("B", "en-tap"), ("D", "en-text"), ("D", "zh-tap"),
        ("B", "en-text"), ("B", "zh-tap"), ("D", "zh-text"), ("D", "en-tap")]
TODAY = START.date()


def client_language(variant: str) -> str:
    """What a Telegram client in that language reports as the user's language_code."""
    return "en" if variant.startswith("en") else "zh-hans"


async def interview(user: TgUser, example: Example, variant: str) -> None:
    for step in example.scripts[variant]:
        await user.send(step)
        assert "hint." not in user.text, f"a raw message key after {step!r}: {user.text}"


async def stored_profile(store: SessionStore, user: TgUser) -> tuple[Session, Profile]:
    loaded = await store.load(user.key)
    assert loaded is not None, "the interview was not stored under the Telegram user's key"
    session = Session.from_json(loaded.data)
    return session, build_profile(session.answers, Calendar.on(load_policy(), TODAY))


def as_telegram_shows(texts: list[str]) -> list[str]:
    """What the user reads for these engine texts: rendered (escaped, split), then parsed as Telegram does."""
    return [parse_html(part.text)[0].strip() for text in texts for part in render(Outbound(text))]


@pytest.mark.parametrize(("name", "variant"), RUNS, ids=[f"{n}-{v}" for n, v in RUNS])
async def test_interview_through_telegram_reaches_the_worked_example(
    harness: BotHarness, fake: FakeBotApi, name: str, variant: str
) -> None:
    example = BY_NAME[name]
    user = harness.user(4200 + RUNS.index((name, variant)), client_language(variant))
    await interview(user, example, variant)

    # The store holds the finished interview, and its profile scores the example's total item by item.
    session, profile = await stored_profile(harness.store, user)
    assert session.state == DONE and session.lang == variant[:2]
    assert_scores_as_example(profile, example)
    case = example.case

    # The final turn, as the user sees it: the score (with the total), the plan, then the follow-up prompt.
    t = translator(variant[:2])
    final = [str(m["text"]) for m in user.last if "text" in m]
    assert t("report.total", total=case["total"], standard=120) in final[0]
    expected = [*advice.final_messages(profile, t), replies.done_message(t, first=True).text]
    assert final == as_telegram_shows(expected)
    assert keyboard_data(user.last[-1]) == ["c:score", "c:plan", "c:card", "c:back", "c:restart"]
    assert all("reply_markup" not in m for m in user.last[:-1])
    # The score card after the breakdown, the road-to-120 chart after the plan: photos (sendPhoto) of PNGs.
    texts = [m.get("text") for m in user.last]
    after = [texts[i - 1] for i, m in enumerate(user.last) if "photo" in m]
    assert after == [final[-3], final[-2]]  # the card after the breakdown, the chart after the plan
    captions = [m["caption"] for m in user.last if "photo" in m]
    assert captions == [t("picture.card.title"), t("picture.road.title", standard=120)]
    card = Image.open(io.BytesIO(fake.photos(user.id)[-2]))
    card.load()
    assert card.format == "PNG" and card.size == (1080, 1350)

    # Every button press replaced the question's keyboard with the chosen answer.
    if variant.endswith("tap"):
        assert user.pressed, "the tap script pressed no button"
    for message_id, label in user.pressed:
        marked = fake.message(user.id, message_id)
        assert marked is not None
        assert str(marked["text"]).endswith(f"✔ {label}"), marked["text"]
        assert "reply_markup" not in marked
    answered = {a["callback_query_id"] for a in fake.callback_answers()}
    assert len(answered) == len(user.pressed)  # every press was answered (the client's spinner stops)


@pytest.mark.parametrize(
    ("name", "variant", "question", "change"),
    [("A", "zh-text", "如果我考了中级职称呢", "title_skill=intermediate"),
     ("D", "en-text", "what if I get a master's degree", "education=master")],
    ids=["zh-title", "en-master"],
)
async def test_what_if_after_the_interview_answers_with_the_difference(
    harness: BotHarness, name: str, variant: str, question: str, change: str
) -> None:
    user = harness.user(4300, client_language(variant))
    await interview(user, BY_NAME[name], variant)
    _, profile = await stored_profile(harness.store, user)

    await user.say(question)

    found = interpret(question, TODAY, load_policy())
    assert found is not None and change in found.changes
    diff = whatif(profile, found.changes)
    delta = diff.after.total - diff.before.total
    assert delta > 0, "the example should gain points from this change"
    t = translator(variant[:2])
    reply = str(user.last[0]["text"])
    assert t("whatif.now.changes", before=diff.before.total, after=diff.after.total, delta=f"{delta:+d}") in reply
    assert reply == as_telegram_shows([advice.whatif_message(profile, found.changes, t)])[0]
    # The what-if is an aside: the stored answers (and so the score) are unchanged.
    _, after = await stored_profile(harness.store, user)
    assert assess(after).total == diff.before.total
