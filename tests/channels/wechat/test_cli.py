"""``jifen serve`` and ``jifen wechat set-menu`` from the command line: a bad setup stops with one line that
names the setting and never shows a secret; set-menu installs the menu WeChat's limits allow."""

from __future__ import annotations

from pathlib import Path

from bot.channels.wechat.setup import MENU, set_menu
from tests.channels.telegram.test_e2e_webhook import jifen
from tests.channels.wechat.conftest import wechat_settings
from tests.channels.wechat.fake_wechat import APP_ID, APP_SECRET, TOKEN, FakeWechat


def test_a_bad_wechat_setup_stops_with_one_line(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JIFEN_DATA_DIR": str(tmp_path / "data"),
            "JIFEN_REDIS_URL": ""}
    cases = {
        "nothing": (base | {"JIFEN_WEB": "0"}, "nothing to serve"),
        "aes": (base | {"JIFEN_WECHAT_TOKEN": TOKEN, "JIFEN_WECHAT_AES_KEY": "tooShortSecretKey"},
                "JIFEN_WECHAT_AES_KEY"),
        "app id": (base | {"JIFEN_WECHAT_TOKEN": TOKEN}, "JIFEN_WECHAT_APP_ID"),
        "secret": (base | {"JIFEN_WECHAT_TOKEN": TOKEN, "JIFEN_WECHAT_APP_ID": APP_ID}, "JIFEN_WECHAT_APP_SECRET"),
        "templates": (base | {"JIFEN_WECHAT_TEMPLATES": '{"reminder": {"id": "x y"}}'}, "template id"),
    }
    running = {name: jifen("serve", env=env) for name, (env, _) in cases.items()}
    for name, process in running.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 2, (name, err)
        [line] = err.splitlines()
        assert line.startswith("jifen: ") and cases[name][1] in line, (name, line)
        assert "tooShortSecretKey" not in out + err and APP_SECRET not in out + err


async def test_set_menu_installs_three_buttons_within_wechats_limits(tmp_path: Path) -> None:
    async with FakeWechat() as fake:
        await set_menu(wechat_settings(fake, tmp_path))
        [call] = fake.calls("menu/create")
    assert call.body == MENU
    buttons = call.body["button"]
    assert len(buttons) <= 3 and all(len(b["name"].encode()) <= 16 for b in buttons)
    subs = [s for b in buttons for s in b.get("sub_button", [])]
    assert all(len(s["name"].encode()) <= 60 for s in subs)
    keys = {b.get("key") for b in [*buttons, *subs]} - {None}
    assert keys == {"score", "plan", "documents", "forget"}
