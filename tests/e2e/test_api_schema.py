"""A property-based run of schemathesis against the API's own OpenAPI document: no server error
and no answer that breaks its documented schema, on the seed cases."""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.api.main import create_app
from govgraph.service.settings import Settings
from tests.conftest import seed_batch


def seeded_app():
    path = Path(tempfile.mkdtemp(prefix="govgraph-schemathesis-")) / "store.db"
    with EmbeddedStore(path) as store:
        store.load(seed_batch())
    return create_app(Settings(store=str(path), tokens={"w" * 24: ["write"]}))


schema = schemathesis.openapi.from_asgi("/openapi.json", seeded_app())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)  # the same examples on every run: CI is not a lottery
def test_every_endpoint_answers_as_documented(case):
    case.call_and_validate()
