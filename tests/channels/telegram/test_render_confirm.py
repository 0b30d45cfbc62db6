"""The "are you sure?" before a restart or a deletion, as Telegram shows it: two inline buttons whose callback
data fits Telegram's 64-byte limit and reads back as the confirmation it names."""

from __future__ import annotations

import pytest

from bot.channels.telegram.render import chosen_label, render
from dialogs import payloads, replies
from dialogs.messages import MAX_PAYLOAD_BYTES
from locales import translator


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("action", ["restart", "delete"])
def test_the_confirmation_renders_as_one_row_of_two_buttons(action: str, lang: str) -> None:
    t = translator(lang)
    out = replies.confirm_message(action, 4, "2026-12-01", t)
    [part] = render(out)
    assert part.markup is not None
    [row] = part.markup.inline_keyboard
    assert [b.text for b in row] == [t(f"cmd.confirm_{action}"), t("cmd.cancel")]
    data = [b.callback_data for b in row]
    assert data == [f"confirm:{action}:yes", f"confirm:{action}:no"]
    for d, yes in zip(data, (True, False), strict=True):
        assert isinstance(d, str) and len(d.encode()) <= MAX_PAYLOAD_BYTES
        p = payloads.read(d)
        assert p is not None and (p.kind, p.command, p.agree) == ("confirm", action, yes)
    assert chosen_label(part.markup, f"confirm:{action}:yes") == t(f"cmd.confirm_{action}")
    assert "2026-12-01" in part.text


@pytest.mark.parametrize("forged", ["confirm:delete", "confirm:other:yes", "confirm:delete:maybe",
                                    "confirm:restart:yes:x"])
def test_a_malformed_confirmation_payload_is_not_read(forged: str) -> None:
    assert payloads.read(forged) is None
