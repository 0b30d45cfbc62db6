"""The engine's messages as WeChat text: numbered options, tappable links, at most 2,048 bytes a message.

WeChat text has no inline keyboard. Two things stand in for one, both reaching the engine as the same payloads as
Telegram's buttons:

* ``weixin://bizmsgmenu`` links. A tap sends ``msgmenucontent`` as the user's text message, with ``msgmenuid`` in
  its ``bizmsgmenuid`` field; we put the label in the first (what the person sees they "said") and the button's
  payload in the second. Where the id does not come back, the label itself is an answer the engine reads (every
  choice accepts its label; 跳过/返回/我的分数 are commands; a yes is a yes).
* Numbers, for the answer options of a question (``Outbound.numbered``, payloads ``a:…``): "1) …", and a typed
  "1" is read by the engine itself (every choice and yes/no question accepts its numbers). Shortcuts (跳过, 返回)
  follow on one line. The consent and are-you-sure screens are numbered too, but their payloads are not answers,
  so they get one link a line without numbers (a bare "1" there would reach the engine as text).

Length: WeChat's text messages hold about 2,048 bytes of UTF-8 (customer-service text, passive replies alike), so
a message is cut at paragraph boundaries under that, then at lines, never inside a link. A turn's messages are
merged into as few as fit (``pack``): the customer-service API allows only a few messages per user action. The
score card and the chart go as image messages in what the quota leaves (``with_pictures``).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from dialogs.messages import Button, Outbound
from dialogs.pictures import Picture
from locales import translator

MAX_BYTES = 2048
"""WeChat's limit for one text message, in UTF-8 bytes."""
LIMIT = MAX_BYTES - 48
"""What we fill a message up to: a margin for the client's own counting of line breaks and entities."""
_LABEL_UNSAFE = "&=#%\"'<>\n"


def link(button: Button) -> str:
    """A tappable option: the label is what the tap "says", the payload comes back as ``bizmsgmenuid``."""
    content = "".join(quote(ch) if ch in _LABEL_UNSAFE else ch for ch in button.label)
    label = button.label.replace("<", "‹").replace(">", "›")
    return f'<a href="weixin://bizmsgmenu?msgmenucontent={content}&msgmenuid={button.payload}">{label}</a>'


def message_text(out: Outbound) -> str:
    """One engine message with its options under it: numbered answer options, then the other buttons."""
    buttons = [b for row in out.buttons for b in row]
    if not buttons:
        return out.text
    answers = [b for b in buttons if b.payload.startswith("a:")] if out.numbered else []
    others = [b for b in buttons if b not in answers]
    lines = [out.text, ""]
    if answers:
        lines += [f"{i}) {link(b)}" for i, b in enumerate(answers, 1)]
    if out.numbered and not answers:  # the consent and are-you-sure screens: one choice a line, no numbers
        lines += [f"▶ {link(b)}" for b in others]
    elif others:
        lines.append("  ".join(f"[{link(b)}]" for b in others))
    if answers:
        lines.append(translator(out.lang or "zh")("wechat.reply_number"))
    return "\n".join(lines)


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most ``limit`` bytes, cut between paragraphs, else between lines, else inside a long line."""
    if size(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for block in _blocks(text, limit):
        joined = f"{current}\n\n{block}" if current else block
        if size(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = block
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()] or ["…"]


def _blocks(text: str, limit: int) -> list[str]:
    """Paragraphs no larger than ``limit``: a larger one is cut at lines, a longer line at characters."""
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if size(paragraph) <= limit:
            blocks.append(paragraph)
            continue
        current = ""
        for line in paragraph.split("\n"):
            for chunk in _cut_line(line, limit):
                joined = f"{current}\n{chunk}" if current else chunk
                if size(joined) <= limit:
                    current = joined
                else:
                    blocks.append(current)
                    current = chunk
        if current:
            blocks.append(current)
    return blocks


def _cut_line(line: str, limit: int) -> list[str]:
    chunks: list[str] = []
    while size(line) > limit:
        cut = len(line.encode("utf-8")[:limit].decode("utf-8", "ignore"))
        chunks.append(line[:cut])
        line = line[cut:]
    chunks.append(line)
    return chunks


def pack(outs: Sequence[Outbound], budget: int, lang: str) -> list[str]:
    """The turn's messages as at most ``budget`` WeChat messages, in order, merged where they fit.

    More than fits is cut before the last message (which carries the options of what comes next), and the cut is
    said in the user's language: the customer-service API would refuse the extra messages anyway.
    """
    parts: list[str] = []
    for out in outs:
        for piece in split(message_text(out)):
            if parts and size(f"{parts[-1]}\n\n{piece}") <= LIMIT:
                parts[-1] = f"{parts[-1]}\n\n{piece}"
            else:
                parts.append(piece)
    if len(parts) <= budget:
        return parts
    notice = translator(lang)("wechat.cut")
    kept = parts[:budget - 1]
    if budget == 1:
        return [parts[-1]]
    if size(f"{kept[-1]}\n\n{notice}") <= LIMIT:
        kept[-1] = f"{kept[-1]}\n\n{notice}"
    else:
        kept[-1] = notice
    return [*kept, parts[-1]]


def with_pictures(outs: Sequence[Outbound], budget: int, lang: str) -> list[str | Picture]:
    """The turn's texts (``pack``) and its pictures as image messages, within the same quota.

    The words come first: they say everything a picture shows, so pictures take only the messages left over, and
    go before the last text (whose options are what comes next) when there are several.
    """
    texts = pack(outs, budget, lang)
    pictures = [o.picture for o in outs if o.picture is not None][:max(0, budget - len(texts))]
    if len(texts) > 1:
        return [*texts[:-1], *pictures, texts[-1]]
    return [*texts, *pictures]
