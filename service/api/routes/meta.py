"""Health, vocabulary, stats."""

from __future__ import annotations

from govgraph.graph.rules import describe_rules
from govgraph.graph.storage import Stats
from govgraph.graph.vocabulary import describe_vocabulary
from govgraph.service.api.deps import ServiceDep, StoreDep
from govgraph.service.api.models import Health, VocabularyOut
from govgraph.service.api.routes._common import reading_router

router = reading_router("meta")


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    """The service is up and its store answers (503 when it does not)."""
    counts = store.stats()
    return Health(status="ok", store=store.backend,
                  nodes=sum(counts.nodes.values()), edges=sum(counts.edges.values()))


@router.get("/vocabulary", response_model=VocabularyOut)
def vocabulary() -> VocabularyOut:
    """Node and relationship types and gap rules, with their Chinese names."""
    return VocabularyOut.model_validate({**describe_vocabulary(), "rules": describe_rules()})


@router.get("/stats", response_model=Stats)
def stats(service: ServiceDep) -> Stats:
    """How many nodes and edges of each type the store holds."""
    return service.stats()
