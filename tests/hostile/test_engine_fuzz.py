"""What tests/dialogs/test_robustness.py does not send: 100,000-character messages, every control character and
random unicode, and random forged callback payloads — at EVERY question state. Always a reply, the state and the
answers unchanged, never an exception."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.questions import DONE, QUESTIONS
from tests.dialogs.chat import new_memory_chat, session_of
from tests.dialogs.test_robustness import EVERY_QUESTION

VALID_STATES = {q.id for q in QUESTIONS} | {DONE}
CONTROLS = "".join(chr(c) for c in (*range(32), *range(0x7F, 0xA0))) + "\u200b\u200e\u202e\u2066\ufeff\ufffe"


def forged(rng: random.Random, state: str) -> str:
    """A payload a client could forge: our prefixes with junk, junk alone, or huge."""
    junk = "".join(chr(rng.randrange(0x20, 0x10FFFF)) for _ in range(rng.randrange(0, 12)))
    junk = junk.encode("utf-8", "ignore").decode("utf-8", "ignore")
    return rng.choice([f"a:{state}:{junk}", f"a:{rng.choice(QUESTIONS).id}:{junk}", f"c:{junk}", f"consent:{junk}",
                       f"lang:{junk}", junk, ":" * rng.randrange(1, 5), "a:" + "x" * 5000, f"a:{state}:{junk}:{junk}"])


async def test_hostile_input_at_every_question_state() -> None:
    chat, store = new_memory_chat()
    await chat.send("你好")
    await chat.send("同意")
    rng = random.Random(6)
    for state, _wrong, _code, right in EVERY_QUESTION:
        before = await session_of(store)
        assert before is not None and before.state == state
        inputs: list[tuple[str, str]] = [("text", "x" * 100_000), ("text", "哈" * 100_000), ("text", CONTROLS),
                                         ("text", CONTROLS * 3000)]
        inputs += [("button", forged(rng, state)) for _ in range(15)]
        for kind, value in inputs:
            replies = await (chat.say(value) if kind == "text" else chat.press(value))
            assert replies and all(r.text for r in replies), (state, kind, value[:40])
            after = await session_of(store)
            assert after is not None, (state, value[:40])
            assert (after.state, after.answers) == (before.state, before.answers), (state, kind, value[:40])
        await chat.say(right)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=200), min_size=1, max_size=5),
       at=st.integers(0, len(EVERY_QUESTION) - 1))
async def test_arbitrary_unicode_at_a_random_state_always_answers(texts: list[str], at: int) -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", *(right for *_, right in EVERY_QUESTION[:at])):
        await chat.send(step)
    for text in texts:
        assert await chat.say(text)
        session = await session_of(store)  # None only if the text happened to be "delete my data"
        assert session is None or session.state in VALID_STATES, session
