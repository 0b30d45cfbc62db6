"""The protocol pieces on their own: signatures, the AES envelope (against WeChat's published sample), the XML
reader, the 2,048-byte splitting and the merging under the customer-service quota."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.wechat import xml
from bot.channels.wechat.crypto import CryptoError, MessageCipher, aes_key, sign, signature_matches
from bot.channels.wechat.render import LIMIT, MAX_BYTES, link, message_text, pack, size, split
from dialogs.messages import Button, Outbound
from tests.channels.wechat.fake_wechat import links_of

# WeChat's sample of its "message encryption" page (the SDK tests carry the same): key, AppID, 16 random bytes.
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APP_ID = "wxb11529c136998cb6"
SAMPLE_RANDOM = b"aaaabbbbccccdddd"
SAMPLE_MESSAGE = ("<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName>"
                  "<FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]>"
                  "</MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9"
                  "H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA["
                  "testCallBackReplyVideo]]></Description></Video></xml>")
SAMPLE_ENCRYPTED = (
    "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0"
    "GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7"
    "CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBz"
    "sYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4Rscu"
    "Q+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX"
    "8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb")


def test_encryption_matches_wechats_sample_both_ways() -> None:
    cipher = MessageCipher(SAMPLE_KEY, SAMPLE_APP_ID, random=lambda n: SAMPLE_RANDOM[:n])
    assert cipher.encrypt(SAMPLE_MESSAGE) == SAMPLE_ENCRYPTED
    assert cipher.decrypt(SAMPLE_ENCRYPTED) == SAMPLE_MESSAGE


def test_a_message_for_another_account_or_tampered_is_refused() -> None:
    with pytest.raises(CryptoError, match="AppID"):
        MessageCipher(SAMPLE_KEY, "wx0000000000000000").decrypt(SAMPLE_ENCRYPTED)
    flipped = SAMPLE_ENCRYPTED[:-8] + ("A" if SAMPLE_ENCRYPTED[-8] != "A" else "B") + SAMPLE_ENCRYPTED[-7:]
    with pytest.raises(CryptoError):
        MessageCipher(SAMPLE_KEY, SAMPLE_APP_ID).decrypt(flipped)
    for junk in ("", "%%%", "Zm9v"):
        with pytest.raises(CryptoError):
            MessageCipher(SAMPLE_KEY, SAMPLE_APP_ID).decrypt(junk)


@pytest.mark.parametrize("key", ["short", SAMPLE_KEY + "x", SAMPLE_KEY[:-1] + "!"])
def test_a_malformed_aes_key_is_refused(key: str) -> None:
    with pytest.raises(CryptoError):
        aes_key(key)


@given(st.text(max_size=3000))
def test_any_message_survives_the_envelope(message: str) -> None:
    cipher = MessageCipher(SAMPLE_KEY, SAMPLE_APP_ID)
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert cipher.decrypt(cipher.encrypt(message)) == message


def test_signatures_sort_their_parts_and_compare_exactly() -> None:
    # WeChat's rule: sort token, timestamp and nonce as strings, join, SHA-1.
    import hashlib

    assert sign("token", "1409304348", "xxxxxx") == hashlib.sha1(b"1409304348tokenxxxxxx").hexdigest()
    good = sign("token", "1409304348", "xxxxxx")
    assert signature_matches(good, "xxxxxx", "token", "1409304348")
    assert signature_matches(good.upper(), "token", "1409304348", "xxxxxx")
    assert not signature_matches(good[:-1] + "0", "token", "1409304348", "xxxxxx")
    assert not signature_matches("", "token", "1409304348", "xxxxxx")


def test_the_xml_reader_takes_fields_and_refuses_entities() -> None:
    posted = xml.parse(b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[a]]>b&lt;</Content>"
                       b"<MsgId>123</MsgId></xml>")
    assert (posted.get("ToUserName"), posted.get("Content"), posted.get("MsgId"), posted.get("Event")) == (
        "gh_1", "ab<", "123", "")
    for body in (b'<!DOCTYPE x [<!ENTITY e "x">]><xml><Content>&e;</Content></xml>', b"<xml>", b"<other/>"):
        with pytest.raises(xml.XmlError):
            xml.parse(body)


def test_a_reply_with_markup_characters_stays_one_element() -> None:
    reply = xml.text_reply("oU", "gh_1", 1, "a ]]> <b> & c")
    assert xml.parse(reply).get("Content") == "a ]]> <b> & c"


texts = st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=900), max_size=12).map(
    "\n\n".join)


@given(texts)
def test_split_keeps_every_character_under_the_limit(text: str) -> None:
    pieces = split(text)
    assert all(size(p) <= LIMIT for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "") or not text.strip()


def test_split_cuts_between_paragraphs_first() -> None:
    paragraphs = ["段落" * 200, "第二段" * 100, "第三段" * 100]
    pieces = split("\n\n".join(paragraphs))
    assert pieces[0] == paragraphs[0] and "\n\n".join(pieces[1:]) == "\n\n".join(paragraphs[1:])


@given(st.lists(texts, min_size=1, max_size=8), st.integers(min_value=1, max_value=5))
def test_pack_respects_the_quota_and_the_size(texts_: list[str], budget: int) -> None:
    outs = [Outbound(t or "x", lang="zh") for t in texts_]
    parts = pack(outs, budget, "zh")
    assert 1 <= len(parts) <= budget
    assert all(size(p) <= MAX_BYTES for p in parts)
    if len(pack(outs, 99, "zh")) <= budget:  # nothing cut: everything is there, in order
        assert "".join(parts).replace("\n", "") == "".join(o.text for o in outs).replace("\n", "")


def test_links_carry_the_payload_and_a_label_that_cannot_break_the_markup() -> None:
    button = Button('Yes & "go" <now>', "a:full_time:yes")
    [(label, content, payload)] = links_of(link(button))
    assert content == 'Yes & "go" <now>' and payload == "a:full_time:yes" and "<" not in label


def test_answer_options_are_numbered_and_shortcuts_follow() -> None:
    out = Outbound("Full-time?", [[Button("Yes", "a:full_time:yes"), Button("No", "a:full_time:no")],
                                  [Button("Skip", "c:skip")]], numbered=True, lang="en")
    text = message_text(out)
    assert "1) <a" in text and "2) <a" in text and "3)" not in text
    assert [p for _, _, p in links_of(text)] == ["a:full_time:yes", "a:full_time:no", "c:skip"]
