"""南汇新城 lies inside the Lingang special area and follows it (POLICY.md §4, §10): the interview says so in its
options and reads 南汇 as Lingang (3 years), not as one of the new towns (5 years)."""

from __future__ import annotations

import datetime as dt

import pytest

from dialogs.answers import AnswerContext, Wages, parse_answer
from dialogs.questions import BY_ID
from locales import translator
from scoring import load_policy
from tests.dialogs.chat import TODAY

CTX = AnswerContext(TODAY, dt.date(1990, 5, 20), Wages.on(load_policy(), TODAY))


@pytest.mark.parametrize(("text", "value"), [
    ("南汇新城", "lingang"), ("南汇", "lingang"), ("我在南汇新城", "lingang"), ("Nanhui", "lingang"),
    ("临港新片区（含南汇新城）", "lingang"), ("临港", "lingang"),
    ("五个新城（嘉定、青浦、松江、奉贤）", "new_city"), ("松江", "new_city"), ("嘉定新城", "new_city"),
    ("new town", "new_city"),
])
def test_the_area_answer(text: str, value: str) -> None:
    assert parse_answer(BY_ID["remote_area"], text, CTX).values["remote_area"] == value


@pytest.mark.parametrize(("lang", "lingang", "new_city"), [
    ("zh", "临港新片区（含南汇新城）", "五个新城（嘉定、青浦、松江、奉贤）"),
    ("en", "Nanhui new town included", "Jiading, Qingpu, Songjiang, Fengxian"),
])
def test_the_options_say_where_nanhui_belongs(lang: str, lingang: str, new_city: str) -> None:
    t = translator(lang)
    labels = {o.value: t(o.label) for o in BY_ID["remote_area"].options}
    assert lingang in labels["lingang"] and new_city in labels["new_city"]
    assert "南汇" not in labels["new_city"] and "Nanhui" not in labels["new_city"]
    prompt = t("q.remote_area.prompt")
    assert prompt.index("南汇" if lang == "zh" else "Nanhui") < prompt.index("松江" if lang == "zh" else "Songjiang")
