"""Whole interviews over WeChat — POLICY.md §11's worked examples typed and tapped (bizmsgmenu links), zh and en —
reach the same totals as the terminal, every message within WeChat's 2,048 bytes, the report within the quota."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.channels.wechat.inbound import AFTER_MESSAGE
from bot.channels.wechat.render import MAX_BYTES
from dialogs.profile_build import Calendar, build_profile
from dialogs.questions import DONE
from dialogs.session import Session
from locales import translator
from scoring import load_policy
from tests.channels.wechat.conftest import Bot
from tests.channels.wechat.fake_wechat import FakeWechat, links_of
from tests.dialogs.examples import EXAMPLES, assert_scores_as_example

BY_NAME = {e.name: e for e in EXAMPLES}
RUNS = [("B", "zh-text"), ("B", "en-tap"), ("D", "zh-tap"), ("D", "en-text"), ("G", "en-tap"), ("F", "zh-text")]


@pytest.mark.parametrize(("name", "variant"), RUNS, ids=[f"{n}-{v}" for n, v in RUNS])
async def test_interview_over_wechat_reaches_the_worked_example(bot: Bot, fake: FakeWechat, name: str,
                                                                 variant: str) -> None:
    example = BY_NAME[name]
    openid = f"oInterview_{name}_{variant.replace('-', '_')}"
    seen: list[str] = []
    for step in example.scripts[variant]:
        out = await bot.send(openid, step)
        assert out, f"no answer to {step!r}"
        assert len(out) <= AFTER_MESSAGE
        assert all(len(m.encode("utf-8")) <= MAX_BYTES for m in out)
        assert all("hint." not in m and "wechat." not in m for m in out), out
        seen += out
    loaded = await bot.store.load(bot.user_key(openid))
    assert loaded is not None
    session = Session.from_json(loaded.data)
    assert session.state == DONE and session.lang == variant[:2]
    profile = build_profile(session.answers, Calendar.on(load_policy(), bot.clock().date()))
    assert_scores_as_example(profile, example)
    t = translator(variant[:2])
    report = "\n".join(bot.last[openid])
    assert t("report.total", total=example.case["total"], standard=120) in report
    menus = [menu for _, _, menu in links_of(bot.last[openid][-1])]
    assert menus == ["c:score", "c:plan", "c:card", "c:back", "c:restart"]
    # The score card and the chart as image messages (media upload, then msgtype image), within the same quota.
    images = fake.images(openid)
    assert len(images) == 2
    assert len(bot.last[openid]) + len(images) <= AFTER_MESSAGE  # the report's turn: texts and images together
    card = Image.open(io.BytesIO(images[0]))
    card.load()
    assert card.format == "PNG" and card.size == (1080, 1350)
