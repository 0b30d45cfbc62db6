"""Building the web channel for ``jifen serve``."""

from __future__ import annotations

from bot.channels.web.channel import Clock, Recorded, WebChannel
from bot.channels.web.guard import Epoch, MemoryRate, RateLimit, RedisRate
from bot.clock import epoch, now
from bot.privacy import UserHash
from bot.reminders import Blocked, Reminder, ReminderQueue, SendResult
from bot.sessions import Sessions
from bot.settings import Settings
from bot.store import RedisStore, SessionStore
from dialogs.engine import Engine
from scoring.policy import Policy, policy_or_default


def make_channel(settings: Settings, store: SessionStore, queue: ReminderQueue, *, user_hash: UserHash,
                 policy: Policy | None = None, clock: Clock = now) -> WebChannel:
    policy = policy_or_default(policy)
    recorded = Recorded(Sessions(store, queue, policy))
    engine = Engine(recorded, policy=policy, retention_days=settings.session_ttl_days, user_hash=user_hash)
    return WebChannel(engine, recorded, store, clock=clock, user_hash=user_hash)


def rate_limit(settings: Settings, store: SessionStore, clock: Epoch = epoch) -> RateLimit:
    """Shared by every worker through the store's Redis when there is one; else in this process."""
    if isinstance(store, RedisStore):
        return RedisRate(store.client, settings.web_rate, clock)
    return MemoryRate(settings.web_rate, clock)


async def send_reminder(reminder: Reminder) -> SendResult:
    """A web page cannot be reached later: its reminders are the calendar file, so the queued ones are dropped."""
    return Blocked()
