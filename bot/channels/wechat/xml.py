"""The XML WeChat posts and the XML a passive reply answers with.

WeChat's posts are flat: ``<xml>`` with one element per field (``ToUserName``, ``FromUserName``, ``CreateTime``,
``MsgType``, ``Content``, ``MsgId``, ``Event``, ``EventKey`` …; safe mode adds ``Encrypt``), text in CDATA. A
subscription-notice event nests a ``List`` per template. Only what the channel reads is kept.

Why so strict: the body comes from the network. A document type declaration (the way to entity expansion and
external entities) is refused before parsing; so is anything that is not a single ``<xml>`` element. Values are
kept as text; the caller decides what a field means. Replies are built by ElementTree too (a ``]]>`` or a
``<`` inside a message must not end its element), so no text is ever pasted into markup by hand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MAX_FIELD_CHARS = 16_384


class XmlError(ValueError):
    """A body that is not a WeChat message; never holds the body."""


@dataclass(frozen=True, slots=True)
class Popup:
    """One template of a subscription-notice popup: accepted or not."""

    template_id: str
    status: str


@dataclass(frozen=True, slots=True)
class Posted:
    """The fields of one post, as text ('' when absent)."""

    fields: dict[str, str]
    popups: tuple[Popup, ...] = field(default=())

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def parse(body: bytes) -> Posted:
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise XmlError("a document type declaration is not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise XmlError("the body is not well-formed XML") from None
    if root.tag != "xml":
        raise XmlError("the body is not a WeChat message")
    fields: dict[str, str] = {}
    popups: list[Popup] = []
    for child in root:
        if child.tag == "SubscribeMsgPopupEvent":
            popups.extend(Popup(_text(item.find("TemplateId")), _text(item.find("SubscribeStatusString")))
                          for item in child.iter("List"))
        elif len(child) == 0:
            fields[child.tag] = _text(child)
    return Posted(fields, tuple(popups))


def _text(element: ET.Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return element.text.strip()[:MAX_FIELD_CHARS]


def render(fields: dict[str, str | int]) -> bytes:
    """A flat ``<xml>`` document of the fields, in order (numbers unquoted, text escaped)."""
    root = ET.Element("xml")
    for name, value in fields.items():
        ET.SubElement(root, name).text = str(value)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return document


def text_reply(to_user: str, from_account: str, created: int, content: str) -> bytes:
    """The passive reply of one text message (``ToUserName`` is the user's OpenID)."""
    return render({"ToUserName": to_user, "FromUserName": from_account, "CreateTime": created,
                   "MsgType": "text", "Content": content})


def encrypted_reply(encrypt: str, signature: str, timestamp: str, nonce: str) -> bytes:
    """The safe-mode envelope of a reply: the ciphertext and its ``msg_signature``."""
    return render({"Encrypt": encrypt, "MsgSignature": signature, "TimeStamp": timestamp, "Nonce": nonce})
