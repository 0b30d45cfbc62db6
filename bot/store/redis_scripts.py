"""Several Lua scripts (and plain commands) in one Redis round trip.

Why not redis-py's own support: a pipeline holding ``Script`` objects first sends ``SCRIPT EXISTS``
for them, a second round trip on every call. Here each call is a plain ``EVALSHA`` in a
non-transactional pipeline; only when the server answers ``NOSCRIPT`` (its script cache was
flushed by a restart or a failover) are the missing scripts loaded and just those calls resent.
A :class:`CommandCall` (``SET key value PX ms``) rides in the same pipeline as it is.

The calls may touch keys of different hash tags (a user's session and the reminder queue): they
are separate commands, not one script, so each stays within one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.commands.core import AsyncScript


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One script invocation, ready to be sent alone or pipelined with others."""

    script: AsyncScript
    keys: Sequence[str]
    args: Sequence[str]


@dataclass(frozen=True, slots=True)
class CommandCall:
    """One plain command (its words), pipelined with scripts."""

    words: tuple[str, ...]


Call = ScriptCall | CommandCall


async def _send(client: Redis, calls: Sequence[Call]) -> list[Any]:
    async with client.pipeline(transaction=False) as pipe:
        for call in calls:
            if isinstance(call, CommandCall):
                pipe.execute_command(*call.words)
            else:
                pipe.evalsha(call.script.sha, len(call.keys), *call.keys, *call.args)
        return list(await pipe.execute(raise_on_error=False))


async def run_scripts(client: Redis, calls: Sequence[Call]) -> list[Any]:
    """The replies of ``calls``, in order, sent as one pipeline; the first error reply is raised.

    Redis runs the commands of a pipeline in order, so a later call sees what an earlier one wrote,
    but nothing makes them atomic together: a caller must be able to live with the first applied
    and the second not (or the reverse, when the first fails its own precondition).
    """
    replies = await _send(client, calls)
    missing = [i for i, reply in enumerate(replies) if isinstance(reply, redis_errors.NoScriptError)]
    if missing:
        scripts = {c.script.sha: c.script for c in (calls[i] for i in missing) if isinstance(c, ScriptCall)}
        for script in scripts.values():
            await client.script_load(script.script)
        for i, reply in zip(missing, await _send(client, [calls[i] for i in missing]), strict=True):
            replies[i] = reply
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return replies
