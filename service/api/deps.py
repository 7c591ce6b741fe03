"""Dependencies: settings, the store, and what the caller may do."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import threading
from collections.abc import Hashable
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from govgraph.graph.privacy import Masker
from govgraph.graph.storage import GraphStore, open_store
from govgraph.service.core import Service
from govgraph.service.settings import Right, Settings


class StoreHolder:
    """Opens the store on first use and again after it failed, so the service starts while the
    store is down and recovers when it returns."""

    def __init__(self, location: str):
        self.location = location
        self._store: GraphStore | None = None
        self._lock = threading.Lock()
        self._masker: tuple[Hashable, Masker] | None = None

    def get(self) -> GraphStore:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.location)
            return self._store

    def opened(self) -> GraphStore | None:
        """The store if it is open (no waiting on the lock, no connecting)."""
        return self._store

    def failed(self) -> None:
        """Forget a store that stopped answering; the next request opens it afresh."""
        with self._lock:
            if self._store is not None:
                try:
                    self._store.close()
                except Exception:  # closing a broken connection may fail too  # noqa: S110
                    pass
                self._store = None

    def masker(self) -> Masker:
        """The masker of every person's name in the store, made again only when it changed."""
        store = self.get()
        revision = store.revision()
        cached = self._masker
        if revision is None or cached is None or cached[0] != revision:
            cached = (revision, Masker.for_people(store.statements_of_type("Person")))
            self._masker = cached
        return cached[1]

    def close(self) -> None:
        self.failed()


def granted(token: str | None, settings: Settings) -> list[Right] | None:
    """The rights configured for a token, None when it is not a configured token. Every token
    is compared, each in constant time, so timing tells nothing of which matched."""
    found = None
    for known, rights in settings.tokens.items():
        if token and hmac.compare_digest(known.encode(), token.encode()):
            found = rights
    return found


def rights_of(token: str | None, settings: Settings) -> set[Right]:
    """What a caller may do: every configured token reads; without one, reading is open unless
    the settings say otherwise."""
    rights: set[Right] = set() if settings.read_requires_token else {"read"}
    given = granted(token, settings)
    return rights | {"read", *given} if given is not None else rights


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# Dependencies that only read the request are `async def`: FastAPI runs a plain `def` in a
# worker thread, and a question's half-dozen hops there cost more than answering it. They are
# flat (each reads the request itself rather than depending on another): every dependency
# FastAPI solves costs about 0.1 ms, a fifth of a street's fresh answer.


async def get_store(request: Request) -> GraphStore:
    holder: StoreHolder = request.app.state.store
    opened = holder.opened()
    return opened if opened is not None else await run_in_threadpool(holder.get)


def caller_rights(request: Request) -> set[Right]:
    return rights_of(bearer(request), request.app.state.settings)


async def require_read(request: Request) -> None:
    if "read" not in caller_rights(request):
        raise HTTPException(401, "a bearer token is needed to read",
                            headers={"WWW-Authenticate": "Bearer"})


async def require_write(request: Request) -> None:
    if "write" in caller_rights(request):
        return
    if granted(bearer(request), request.app.state.settings) is None:
        raise HTTPException(401, "a bearer token with the right to write is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    raise HTTPException(403, "this token has no right to write")


StoreDep = Annotated[GraphStore, Depends(get_store)]


async def get_live_service(request: Request) -> Service:
    """The service layer as this caller may use it (names masked without `personal`), on the
    store as it is now: for loading, unloading and the sources."""
    return Service(await get_store(request), personal="personal" in caller_rights(request),
                   masker=request.app.state.store.masker,
                   definitions=request.app.state.settings.definitions)


LiveServiceDep = Annotated[Service, Depends(get_live_service)]


def _written_as_date(value: object) -> object:
    """Only YYYY-MM-DD is a date here (not a number of seconds, as pydantic would read "0")."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


AsOf = Annotated[dt.date | None, BeforeValidator(_written_as_date), Query(
    description="answer as of this date (YYYY-MM-DD): from what the sources dated up to then "
                "said; none: now (each source's latest edition)")]


def iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


async def get_service(request: Request, as_of: AsOf = None) -> Service:
    """The service layer for a question, as of the date asked (``as_of``), if any (deriving
    the graph as of a date may take seconds: in a worker thread)."""
    service = await get_live_service(request)
    return service if as_of is None else await run_in_threadpool(service.at, iso(as_of))


ServiceDep = Annotated[Service, Depends(get_service)]
