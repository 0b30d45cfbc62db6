"""Replies delivered at least once, at no extra round trip: kept with the save, confirmed with the next one.

Why: a process killed after saving a turn and before its replies went out (or a Bot API that refuses them for
longer than the retry budget) left the user facing a question they never saw; the re-delivered update was
recognised as applied and answered with nothing. Now the replies of a saved turn are written in the same
save (the session's *outbox*, :class:`bot.store.Outbox`), and the channel

* re-sends them when the same update comes again and this process has no record of delivering them;
* sends them first at the user's next contact when they were not delivered (this process gave up on them, or
  they are older than ``OUTBOX_GRACE_S`` without a confirmation — time enough for another worker to have
  delivered and confirmed them);
* at polling start-up, sends every outbox left (:meth:`bot.store.SessionStore.kept_outboxes`).

Confirming a delivery (clearing the outbox) and making a webhook claim final are small writes that ride on the
next save of any user (:class:`bot.store.Extras`), or go together in one round trip after ``FLUSH_AFTER_S`` of
quiet, so an update still costs two round trips. The price: a process killed within that moment re-sends the
replies it had delivered — a repeat, never a loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from bot.store import SessionStore, StoreError
from bot.store.base import Extras
from dialogs.messages import Button, Outbound

log = logging.getLogger(__name__)

OUTBOX_GRACE_S = 60.0
"""An outbox this old and not confirmed counts as undelivered, whoever wrote it: beyond the reply budget and a
flush, so another worker cannot still be sending it."""
FLUSH_AFTER_S = 0.5
"""Confirmations and final claims no save has carried are written this long after the first of them."""
REMEMBERED = 10_000
"""Deliveries this process remembers (users, most recent first); older ones are confirmed in the store anyway."""

Sleep = Callable[[float], Awaitable[None]]


def encode_replies(replies: Sequence[Outbound], at: float) -> str:
    """The outbox text: the replies (text, buttons, numbering, language) and when they were computed."""
    return json.dumps({"at": at, "r": [{"t": o.text, "b": [[[b.label, b.payload] for b in row] for row in o.buttons],
                                        "n": o.numbered, "l": o.lang} for o in replies]},
                      ensure_ascii=False, separators=(",", ":"))


def decode_replies(data: str) -> tuple[float, list[Outbound]]:
    """(when, replies) of an outbox text; ValueError for anything else (an outbox from a newer version)."""
    try:
        raw = json.loads(data)
        replies = [Outbound(str(o["t"]), [[Button(str(label), str(payload)) for label, payload in row]
                                          for row in o["b"]], bool(o["n"]), str(o["l"])) for o in raw["r"]]
        return float(raw["at"]), replies
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"unreadable outbox ({type(exc).__name__})") from None


class Ledger:
    """Per process: what the store should learn with the next write — claims to make final, outboxes delivered.

    ``claimed`` digests are made final by the save of their turn (:meth:`take`) or, for a turn that saved
    nothing, by the next flush once the update is finished (:meth:`finished`). A delivery confirms the outbox
    of that tag only if one was written (:meth:`kept`) or found (the store ignores a confirmation that no
    longer matches, so a late one cannot clear a newer outbox).
    """

    def __init__(self, store: SessionStore, *, flush_after: float = FLUSH_AFTER_S, sleep: Sleep = asyncio.sleep,
                 remembered: int = REMEMBERED) -> None:
        self.store, self.flush_after, self._sleep, self._remembered = store, flush_after, sleep, remembered
        self._claims: set[str] = set()
        self._finals: set[str] = set()
        self._kept: set[tuple[str, str]] = set()
        self._clears: dict[str, str] = {}  # user key -> tag delivered, not yet confirmed in the store
        self._delivered: OrderedDict[str, str] = OrderedDict()  # user key -> last tag delivered
        self._gave_up: dict[str, str] = {}  # user key -> tag whose delivery this process gave up
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- claims ---------------------------------------------------------------------------------

    def claimed(self, digest: str) -> None:
        self._claims.add(digest)

    def released(self, digest: str) -> None:
        self._claims.discard(digest)

    def finished(self, digest: str) -> None:
        """The update is handled: a claim no save made final is made final by the next flush."""
        if digest in self._claims:
            self._claims.discard(digest)
            self._finals.add(digest)
            self._soon()

    # -- outboxes -------------------------------------------------------------------------------

    def kept(self, user_key: str, tag: str) -> None:
        """An outbox for ``tag`` was written (or found) for the user."""
        self._kept.add((user_key, tag))

    def delivered(self, user_key: str, tag: str) -> None:
        """The replies of ``tag`` reached the user (or were refused for good): confirm the outbox, if any."""
        self._delivered[user_key] = tag
        self._delivered.move_to_end(user_key)
        while len(self._delivered) > self._remembered:
            self._delivered.popitem(last=False)
        if self._gave_up.get(user_key) == tag:
            del self._gave_up[user_key]
        if (user_key, tag) in self._kept:
            self._kept.discard((user_key, tag))
            self._clears[user_key] = tag
            self._soon()

    def gave_up(self, user_key: str, tag: str) -> None:
        self._gave_up[user_key] = tag

    def knows_delivered(self, user_key: str, tag: str) -> bool:
        return self._delivered.get(user_key) == tag

    def knows_undelivered(self, user_key: str, tag: str) -> bool:
        return self._gave_up.get(user_key) == tag

    # -- riding on writes -----------------------------------------------------------------------

    def take(self, final_claim: str | None = None) -> Extras:
        """Everything pending, for a save to carry (the claim of the save's own update made final too)."""
        finals = set(self._finals)
        if final_claim is not None and final_claim in self._claims:
            self._claims.discard(final_claim)
            finals.add(final_claim)
        extras = Extras(tuple(sorted(finals)), tuple(sorted(self._clears.items())))
        self._finals.clear()
        self._clears.clear()
        return extras

    def give_back(self, extras: Extras) -> None:
        """A write that carried ``extras`` failed: they go with a later one (each is idempotent)."""
        self._finals.update(extras.final_claims)
        for user_key, tag in extras.cleared:
            self._clears.setdefault(user_key, tag)
        if extras:
            self._soon()

    async def flush(self) -> None:
        """Write what is pending now, in one round trip (kept for later if the store fails)."""
        extras = self.take()
        if not extras:
            return
        try:
            await self.store.write_extras(extras)
        except StoreError as exc:
            log.warning("could not confirm deliveries (%s); trying again with the next write", type(exc).__name__)
            self.give_back(extras)

    async def close(self) -> None:
        """Stop the flusher and write what is pending (a clean shutdown loses no confirmation)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(StoreError):
            await self.flush()

    def _soon(self) -> None:
        self._wake.set()
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: the next save carries them
                self._task = asyncio.get_running_loop().create_task(self._run(), name="jifen-ledger")

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await self._sleep(self.flush_after)
            self._wake.clear()
            await self.flush()

