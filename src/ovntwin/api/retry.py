"""Re-run a request whose transaction lost a race, as Neutron's `retry_db_errors` does.

Every route is an `APIRoute` subclass whose handler runs the endpoint again from scratch
(fresh session, fresh reads) when the database reports a retriable error: SQLite "database is
locked", PostgreSQL serialization failure / deadlock, a unique violation from a concurrent
duplicate, or a stale `revision_number` in the compare-and-swap UPDATE/DELETE. After
`MAX_RETRIES` re-runs the caller gets a 409 NeutronError. Other integrity errors (a foreign key
to a row that is not there) answer 409 at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ovntwin.api.errors import Conflict

# Neutron retries up to 20 times from 0.1 s; shorter here because a twin's transactions are
# short and one process holds them all, so a lost race is resolved by the next attempt.
MAX_RETRIES = 10
FIRST_DELAY_S = 0.005
MAX_DELAY_S = 0.25
UNIQUE_VIOLATION = "23505"
RETRIABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})  # serialization, deadlock, lock
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def _sqlstate(err: DBAPIError) -> str | None:
    state = getattr(err.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def is_unique_violation(err: IntegrityError) -> bool:
    return _sqlstate(err) == UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(err.orig)


def is_retriable(err: BaseException) -> bool:
    """Would running the same request again, on fresh reads, probably succeed?"""
    if isinstance(err, StaleDataError):
        return True
    if isinstance(err, IntegrityError):
        return is_unique_violation(err)
    if isinstance(err, OperationalError):
        text = str(err.orig).lower()
        return (
            _sqlstate(err) in RETRIABLE_SQLSTATES
            or any(s in text for s in SQLITE_BUSY)
            or err.connection_invalidated
        )
    return False


def delay(attempt: int) -> float:
    """Full-jitter exponential backoff (as oslo.db's jitter=True)."""
    return random.uniform(0, min(MAX_DELAY_S, FIRST_DELAY_S * 2**attempt))


def _gave_up() -> Conflict:
    return Conflict(
        f"The request conflicted with concurrent changes {MAX_RETRIES + 1} times; retry it later.",
        type_name="Conflict",
    )


def _integrity_conflict() -> Conflict:
    return Conflict(
        "The request conflicts with the current state of a referenced resource.",
        type_name="Conflict",
    )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def retrying(handler: Handler) -> Handler:
    async def run(request: Request) -> Response:
        await request.body()  # cached on the request, so every attempt sees the same body
        for attempt in range(MAX_RETRIES + 1):
            try:
                return await handler(request)
            except (DBAPIError, StaleDataError) as err:
                if not is_retriable(err):
                    if isinstance(err, IntegrityError):
                        raise _integrity_conflict() from None
                    raise
                logging.getLogger(__name__).debug(
                    "%s %s: attempt %d lost a race (%s); re-running",
                    request.method, request.url.path, attempt + 1, type(err).__name__,
                )  # fmt: skip
            await asyncio.sleep(delay(attempt))
        raise _gave_up()

    return run


class RetryRoute(APIRoute):
    """An APIRoute whose endpoint is re-run on retriable database errors."""

    def get_route_handler(self) -> Handler:
        return retrying(super().get_route_handler())
