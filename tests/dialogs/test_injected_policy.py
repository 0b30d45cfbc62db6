"""The policy given to the engine is the one every reply is computed with, not the packaged default.

A test policy whose standard is 100 instead of 120: POLICY.md's example B' (101 points) then passes, so
every reply that states the standard, a shortfall or a verdict must say so — a reply computed with the
packaged policy would say "standard 120" and "19 points missing".
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.store import MemoryStore
from locales import translator
from scoring import Policy, load_policy
from tests.dialogs.chat import Chat, engine_on
from tests.dialogs.examples import EXAMPLES

B = next(e for e in EXAMPLES if e.name == "B")
B_PRIME_ZH = ["0.6倍" if step == "0.85倍" else step for step in B.scripts["zh-tap"]]  # 101 points (POLICY.md §11)
PACKAGED_STANDARD = re.compile(r"(?<![\d.])120(?![\d.]|\s*个月)")  # "120 个月" is a duration


@pytest.fixture(scope="module")
def standard_100(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    text = resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    data["parameters"]["standard"]["values"] = [
        {"from": data["parameters"]["standard"]["values"][0]["from"], "value": 100, "conf": "L", "cite": "test"}]
    path: Path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    policy = load_policy(path)
    assert policy is not load_policy()
    return policy


async def test_every_reply_about_the_standard_uses_the_injected_policy(standard_100: Policy) -> None:
    chat = Chat(engine_on(MemoryStore(), policy=standard_100))
    for step in B_PRIME_ZH:
        await chat.send(step)
    t = translator("zh")
    turns = {"interview": [o.text for o in chat.last]}
    for command in ("/score", "/plan", "如果我考了高级职称", "两年后呢"):
        await chat.say(command)
        turns[command] = [o.text for o in chat.last]

    final_score = turns["interview"][0]
    assert t("report.total", total=101, standard=100) in final_score
    assert t("report.passes") in final_score and t("report.shortfall", shortfall=19) not in final_score
    assert t("report.total", total=101, standard=100) in turns["/score"][0]
    assert t("report.passes") in turns["/score"][0]
    assert t("baseline.already") in turns["interview"][1] and t("baseline.already") in turns["/plan"][0]
    assert t("report.total", total=101, standard=120) not in "\n".join(turns["如果我考了高级职称"])
    for name, texts in turns.items():
        for text in texts:
            assert not PACKAGED_STANDARD.search(text), (name, text)
