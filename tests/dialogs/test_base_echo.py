"""The contribution base is echoed back as typed, or as the legal bound it was moved to (issue #12)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.store import MemoryStore
from tests.dialogs.chat import SHANGHAI, Chat, engine_on

DECEMBER = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # average 12,577; floor 7,546; ceiling 37,731
TO_THE_BASE = ["你好", "同意", "2002年6月1日", "本科学士", "是", "2025年6月30日", "没有", "是", "7个月"]


async def _echo(answer: str) -> str:
    chat = Chat(engine_on(MemoryStore()), now=DECEMBER)
    for step in TO_THE_BASE:
        await chat.send(step)
    assert "平均工资" in chat.text  # the base question, which states the floor and the ceiling
    await chat.send(answer)
    return chat.text


@pytest.mark.parametrize(("answer", "shown"), [("1.5万", "15,000 元/月"), ("1万", "10,000 元/月"),
                                               ("12000", "12,000 元/月")])
async def test_a_base_in_yuan_is_echoed_as_typed(answer: str, shown: str) -> None:
    text = await _echo(answer)
    assert f"记下了：{shown}" in text
    assert "14,99" not in text and "约 " not in text.split("记下了：")[1][:3]


async def test_a_base_under_the_floor_is_said_to_be_raised_to_the_minimum() -> None:
    text = await _echo("7,500")
    assert "7,500 元低于社保缴费基数下限" in text and "按下限 7,546 元/月计" in text
    assert "0.6 倍" in text


async def test_a_base_over_the_ceiling_is_said_to_be_lowered_to_the_maximum() -> None:
    text = await _echo("5万")
    assert "50,000 元高于社保缴费基数上限" in text and "按上限 37,731 元/月计" in text
    assert "的 3 倍" in text


async def test_a_multiple_is_still_echoed_with_its_amount_in_yuan() -> None:
    text = await _echo("1.5倍")
    assert "记下了：约 18,866 元/月" in text and "1.5 倍" in text
