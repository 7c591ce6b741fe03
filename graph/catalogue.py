"""Moved to govgraph.service.core (Service.gaps, Service.coverage); this shim goes once no
caller is left."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def gaps(store: Any, rule_name: str, scope: str | None = None,
         parameters: Mapping[str, str | float] | None = None) -> Any:
    from govgraph.service.core import Service

    return Service(store, personal=True).gaps(rule_name, scope, parameters)


def coverage(store: Any, scope: str | None = None) -> Any:
    from govgraph.service.core import Service

    return Service(store, personal=True).coverage(scope)
