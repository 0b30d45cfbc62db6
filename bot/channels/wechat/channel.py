"""The WeChat official-account channel: posts in, passive or customer-service replies out, reminders by consent.

The 5-second rule shapes everything here. WeChat waits 5 s for the answer to a post, then drops the connection and
posts again (three tries in all). So:

* every post is claimed in the store under the keyed digest of its de-duplication id (``MsgId``, or
  ``FromUserName`` + ``CreateTime`` for an event) — the same claim, in the same round trip as the session load, as
  Telegram's ``update_id`` (``SessionStore.receive``) — so a retry is never applied twice. The claim is pending
  until the save of its turn makes it final (bot.delivery.Ledger): a worker that dies before saving loses nothing.
  A retry of a post whose turn was saved but whose replies were not confirmed delivered (the passive reply lost on
  the way) gets those replies again, from the outbox written with the save;
* a turn that is ready within ``PASSIVE_SECONDS`` (3 s, a margin under WeChat's 5) with **one** message is the
  passive reply; otherwise the post is answered ``success`` at once (WeChat then neither retries nor shows
  "the account cannot serve you") and **all** the turn's messages go out in order through the customer-service
  API, merged into as few as the per-user quota allows (5 after a message, 3 after a menu click or a follow). A
  passive reply cannot be ordered against customer-service messages, so a turn never mixes the two.
* One user's posts are served one at a time in a process (a lock per user, held until the turn's messages are
  sent), so a quick second message cannot overtake the first one's replies; across workers the store's
  compare-and-set orders the turns themselves.

The engine is the channel-neutral one (bot.sessions.make_engine); its storage is wrapped to see, for WeChat users,
when a turn schedules reminders: the channel then says which reminders can arrive and offers the consent links
(bot.channels.wechat.consent). Logs carry the keyed user hash and errcodes, never texts, OpenIDs or tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.channels.wechat import consent, render
from bot.channels.wechat.api import Rejected, Unavailable, WechatApi, WechatError
from bot.channels.wechat.inbound import PopupAccepted, TextOnly, Turn, Unsubscribed, openid_of
from bot.delivery import Ledger, decode_replies
from bot.locks import KeyedLocks
from bot.pictures import png
from bot.privacy import UpdateDigest
from bot.reminders import Blocked, Failed, Reminder, ReminderQueue, SendResult, Sent
from bot.reminders.schedule import kind_for, reminder_offsets
from bot.sessions import Sessions
from bot.settings import WechatTemplate
from bot.store import SessionStore, StoreError
from bot.store.base import Claim, Loaded
from dialogs.engine import Engine, Preloaded
from dialogs.messages import Outbound
from dialogs.pictures import Picture
from dialogs.ports import Effect, ScheduleReminders, StoredSession
from dialogs.reminders import reminder_text
from dialogs.session import Session, SessionError
from locales import translator

log = logging.getLogger(__name__)

PASSIVE_SECONDS = 3.0
"""How long a post waits for its turn before answering ``success`` (WeChat gives up at 5 s)."""
PENDING_CLAIM_SECONDS = 30
"""How long a claimed post waits for its save before a retry may claim it again: WeChat's retries end within 15 s,
and a turn that saves takes milliseconds."""
SUCCESS = b"success"

Clock = Callable[[], dt.datetime]
UserHash = Callable[[str], str]
Part = str | Picture
"""One WeChat message of a turn: a text, or a picture sent as an image."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer WeChat: one passive text message, or ``success`` (None)."""

    text: str | None


class ObservedSessions:
    """The engine's storage, reporting the reminder date a WeChat user's turn commits (to offer consent)."""

    def __init__(self, inner: Sessions, prefix: str = "wx-") -> None:
        self.inner, self.prefix = inner, prefix
        self.scheduled: dict[str, dt.date | None] = {}

    async def load(self, user_key: str) -> StoredSession | None:
        return await self.inner.load(user_key)

    async def commit(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> None:
        await self.inner.commit(user_key, effects, now)
        if user_key.startswith(self.prefix):
            for effect in effects:
                if isinstance(effect, ScheduleReminders):
                    self.scheduled[user_key] = effect.expires_on


class WechatChannel:
    """One process's WeChat side: the engine on the shared store, the API client, the reminder sender."""

    def __init__(self, engine: Engine, observed: ObservedSessions, store: SessionStore, queue: ReminderQueue,
                 api: WechatApi, *, clock: Clock, user_hash: UserHash, links: consent.Links | None,
                 template: WechatTemplate | None, ledger: Ledger, digest: UpdateDigest,
                 passive_seconds: float = PASSIVE_SECONDS) -> None:
        self.engine, self.observed, self.store, self.queue, self.api = engine, observed, store, queue, api
        self.ledger, self.digest = ledger, digest
        self.clock, self.user_hash, self.links, self.template = clock, user_hash, links, template
        self.passive_seconds = passive_seconds
        self._user_lock = KeyedLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    # --- a turn -------------------------------------------------------------------------------------
    async def serve(self, turn: Turn) -> Reply:
        """The answer to one post that is a turn; the turn goes on (and its messages out) after a ``success``."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[list[Part] | None] = loop.create_future()
        decided: asyncio.Future[bool] = loop.create_future()
        task = asyncio.create_task(self._serve(turn, ready, decided))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        passive = False
        try:
            parts = await asyncio.wait_for(asyncio.shield(ready), self.passive_seconds)
            only = parts[0] if parts is not None and len(parts) == 1 else None
            passive = isinstance(only, str)  # a picture is never passive: it needs the upload first
            return Reply(only if isinstance(only, str) else None)
        except TimeoutError:
            return Reply(None)
        finally:
            if not decided.done():
                decided.set_result(passive)

    async def _serve(self, turn: Turn, ready: asyncio.Future[list[Part] | None],
                     decided: asyncio.Future[bool]) -> None:
        key = turn.inbound.user_key
        try:
            async with self._user_lock(key):
                try:
                    parts = await self._turn(turn)
                except Exception:
                    if not ready.done():
                        ready.set_result(None)
                    raise
                if not ready.done():
                    ready.set_result(parts)
                if parts is None or await decided:
                    return
                await self._deliver(key, parts)
                if turn.inbound.update_id is not None:
                    self.ledger.delivered(key, turn.inbound.update_id)
        except Exception as exc:  # a bug must not kill the server; the log names no content
            log.error("WeChat turn failed (%s) user=%s", type(exc).__name__, self.user_hash(key))

    async def _turn(self, turn: Turn) -> list[Part] | None:
        """The turn's messages as WeChat messages; None for a retry whose turn is done or under way elsewhere."""
        inbound = turn.inbound
        key, tag = inbound.user_key, inbound.update_id
        assert tag is not None
        digest = self.digest(key, tag)
        preloaded: Preloaded | None = None
        try:
            arrival = await self.store.receive(key, digest, claim_seconds=PENDING_CLAIM_SECONDS)
        except StoreError:
            pass  # the engine loads (and, with the store down, says so)
        else:
            if arrival.forgotten:
                log.info("a post applied before its user was forgotten came again; ignored user=%s",
                         self.user_hash(key))
                return None
            if arrival.claim is Claim.DONE:
                return self._kept_for(key, arrival.loaded, tag, turn)
            if arrival.claim is Claim.PENDING:
                log.info("repeated WeChat post while its turn is under way user=%s", self.user_hash(key))
                return None
            self.ledger.claimed(digest)
            preloaded = Preloaded(arrival.loaded)
            earlier = arrival.loaded.outbox if arrival.loaded is not None else None
            if earlier is not None and earlier.tag != tag:  # a new post: the last passive reply got through
                self.ledger.kept(key, earlier.tag)
                self.ledger.delivered(key, earlier.tag)
        self.observed.scheduled.pop(key, None)
        try:
            outs = await self.engine.handle(inbound, preloaded)
        finally:
            self.ledger.finished(digest)
        lang = next((o.lang for o in outs if o.lang), "zh")
        outs = [self._with_unsubscribe_note(o) for o in outs]
        if key in self.observed.scheduled:
            date = self.observed.scheduled.pop(key)
            if date is not None:  # said before the turn's last message, whose options are what comes next
                offer = consent.offer(openid_of(key), date, inbound.now, self.engine.policy, lang, self.links)
                outs.insert(len(outs) - 1 if outs and outs[-1].buttons else len(outs), offer)
        return render.with_pictures(outs, turn.quota, lang) if outs else None

    def _kept_for(self, key: str, loaded: Loaded | None, tag: str, turn: Turn) -> list[Part] | None:
        """A retry of a post whose turn was saved: WeChat retries only when it got no answer, so a passive reply
        was lost on the way — its replies again (from the outbox), unless they went out as customer-service
        messages (then WeChat had its ``success``)."""
        kept = loaded.outbox if loaded is not None else None
        if kept is None or kept.tag != tag or self.ledger.knows_delivered(key, tag):
            log.info("repeated WeChat post ignored user=%s", self.user_hash(key))
            return None
        try:
            _, outs = decode_replies(kept.data)
        except ValueError:
            return None
        log.info("a repeated WeChat post whose reply did not arrive: answered again user=%s", self.user_hash(key))
        self.ledger.kept(key, tag)
        lang = next((o.lang for o in outs if o.lang), "zh")
        return render.with_pictures(outs, turn.quota, lang) if outs else None

    @staticmethod
    def _with_unsubscribe_note(out: Outbound) -> Outbound:
        """The consent screen on WeChat says what unfollowing does (reminders stop; the data is kept as said)."""
        if not any(p.startswith("consent:") for p in out.payloads()):
            return out
        note = translator(out.lang or "zh")("wechat.consent.unsubscribe")
        return replace(out, text=f"{out.text}\n\n{note}")

    async def _deliver(self, key: str, parts: list[Part]) -> None:
        """Customer-service messages, in order; the first refusal stops the rest (they would be refused too).

        A picture is drawn off the event loop and uploaded as temporary media first; if that fails the text goes on
        without it (the words say what it shows)."""
        openid = openid_of(key)
        for part in parts:
            try:
                if isinstance(part, str):
                    await self.api.send_text(openid, part)
                else:
                    await self._send_picture(openid, part)
            except WechatError as exc:
                log.warning("WeChat reply not delivered (errcode %d, %s) user=%s", exc.errcode,
                            type(exc).__name__, self.user_hash(key))
                return

    async def _send_picture(self, openid: str, picture: Picture) -> None:
        try:
            media_id = await self.api.upload_image(await asyncio.to_thread(png, picture))
        except Unavailable as exc:
            log.warning("WeChat picture not uploaded (errcode %d)", exc.errcode)
            return
        await self.api.send_image(openid, media_id)

    # --- other posts --------------------------------------------------------------------------------
    async def text_only(self, post: TextOnly) -> Reply:
        """An image, voice, location…: "please type", in the user's language, nothing stored."""
        lang = "zh"
        try:
            loaded = await self.store.load(post.user_key)
        except StoreError:
            loaded = None
        if loaded is not None:
            with contextlib.suppress(SessionError):
                lang = Session.from_json(loaded.data).lang
        return Reply(translator(lang)("wechat.text_only"))

    async def unsubscribed(self, post: Unsubscribed) -> None:
        """Unfollowed: the reminders and every consent go; the answers stay until they expire or are deleted."""
        try:
            await self.queue.cancel_user(post.user_key)
            for name in self._consent_names():
                await self.store.delete_value(post.user_key, name)
        except StoreError as exc:
            log.warning("reminders not cancelled on unfollow (%s) user=%s", type(exc).__name__,
                        self.user_hash(post.user_key))

    async def popup(self, post: PopupAccepted) -> None:
        """Subscription-notice consents (from the web page's popup): one message per accepted template."""
        if self.template is None or self.template.type != "notice":
            return
        for template_id in post.template_ids:
            if template_id != self.template.id:
                continue
            name = consent.notice_name(template_id)
            try:
                held = await self.store.get_value(post.user_key, name)
                await self.store.put_value(post.user_key, name, str(int(held or 0) + 1),
                                           consent.CONSENT_TTL_SECONDS)
            except (StoreError, ValueError) as exc:
                log.warning("notice consent not recorded (%s) user=%s", type(exc).__name__,
                            self.user_hash(post.user_key))

    async def consented(self, user_key: str, scene: int) -> bool:
        """A one-time consent came back through the redirect: record it for that reminder."""
        kind = consent.kind_of_scene(scene)
        if kind is None or self.template is None:
            return False
        await self.store.put_value(user_key, consent.once_name(kind), self.template.id, consent.CONSENT_TTL_SECONDS)
        return True

    def _consent_names(self) -> list[str]:
        kinds = {"window_opens", "week_before", "on_the_day"}
        with contextlib.suppress(Exception):
            today = self.clock().date()
            kinds |= {kind_for(d) for d in reminder_offsets(today, self.engine.policy)}
        names = [consent.once_name(k) for k in sorted(kinds)]
        if self.template is not None:
            names.append(consent.notice_name(self.template.id))
        return names

    # --- reminders ----------------------------------------------------------------------------------
    async def send_reminder(self, reminder: Reminder) -> SendResult:
        """Sent only with the user's consent for it; without one it is dropped (``Blocked``), never sent."""
        key = reminder.user_key
        if self.template is None:
            return Blocked()
        try:
            loaded = await self.store.load(key)
        except StoreError:
            return Failed()
        today = self.clock().date()
        data = loaded.data if loaded is not None else None
        try:
            text = reminder_text(data, reminder.expires_on, reminder.kind, today, self.engine.policy)
        except SessionError:
            return Failed()
        if text is None or loaded is None:
            return Blocked()
        lang = Session.from_json(loaded.data).lang
        template = self.template
        name = consent.once_name(reminder.kind) if template.type == "once" else consent.notice_name(template.id)
        try:
            held = await self.store.get_value(key, name)
        except StoreError:
            return Failed()
        if not held or held == "0":
            log.info("reminder not sent: no WeChat consent for it user=%s", self.user_hash(key))
            return Blocked()
        result = await self._send_consented(key, reminder, template, text.split("\n\n")[0], lang, today)
        if isinstance(result, Sent):
            await self._use_consent(key, name, template, held)
        return result

    async def _send_consented(self, key: str, reminder: Reminder, template: WechatTemplate, line: str, lang: str,
                              today: dt.date) -> SendResult:
        openid = openid_of(key)
        try:
            if template.type == "once":
                await self.api.send_once(openid, template.id, consent.scene_of(reminder.kind),
                                         consent.title(lang), consent.once_content(line, lang))
            else:
                await self.api.send_notice(openid, template.id,
                                           consent.notice_data(template, reminder.expires_on, today, lang))
        except Rejected as exc:
            log.info("reminder refused by WeChat (errcode %d) user=%s", exc.errcode, self.user_hash(key))
            return Blocked()
        except Unavailable:
            return Failed()
        return Sent()

    async def _use_consent(self, key: str, name: str, template: WechatTemplate, held: str) -> None:
        """One message per consent: a one-time consent is gone, a notice consent counts one down."""
        with contextlib.suppress(StoreError, ValueError):
            left = 0 if template.type == "once" else int(held) - 1
            if left > 0:
                await self.store.put_value(key, name, str(left), consent.CONSENT_TTL_SECONDS)
            else:
                await self.store.delete_value(key, name)

    # --- lifecycle ----------------------------------------------------------------------------------
    async def drain(self, timeout: float = 10.0) -> None:
        """Let the turns under way finish their replies (a clean shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

