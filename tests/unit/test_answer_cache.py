"""Answers kept until the store changes: asked again, the same answer without the work; after a
change, for another caller's rights, or with the cache turned off, the work is done again."""

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from govgraph.service.api.cache import AnswerCache, KeptAnswers


def client_of(entries: int = 512) -> tuple[TestClient, dict[str, int]]:
    """An app that counts the answers it makes, behind the middleware; the store's revision is
    what the test sets in ``state['revision']``."""
    state = {"made": 0, "revision": 1}

    def answer(request: Request) -> PlainTextResponse:
        state["made"] += 1
        status = 404 if request.path_params["what"] == "missing" else 200
        return PlainTextResponse(f"答 {state['made']}", status_code=status,
                                 headers={"X-Made": str(state["made"])})

    async def revision(_: Request) -> int:
        return state["revision"]

    app = Starlette(routes=[Route("/{what}", answer, methods=["GET", "POST"])])
    app.add_middleware(KeptAnswers, answers=AnswerCache(entries),
                       revision=revision,
                       key=lambda request: (str(request.url),
                                            request.headers.get("authorization")))
    return TestClient(app), state


def test_an_answer_asked_again_is_kept_until_the_store_changes():
    client, state = client_of()
    first = client.get("/gaps")
    again = client.get("/gaps")
    assert state["made"] == 1
    assert again.text == first.text == "答 1"
    assert again.headers["x-made"] == "1" and again.headers["content-type"].startswith(
        "text/plain")
    state["revision"] = 2  # a load changed the store
    assert client.get("/gaps").text == "答 2"


def test_each_callers_rights_and_each_url_have_their_own_answer():
    client, state = client_of()
    client.get("/gaps")
    client.get("/gaps", headers={"Authorization": "Bearer personal"})
    client.get("/coverage")
    assert state["made"] == 3


def test_only_answers_to_reads_that_succeeded_are_kept():
    client, state = client_of()
    client.get("/missing")
    client.get("/missing")
    client.post("/gaps")
    client.post("/gaps")
    assert state["made"] == 4


def test_with_no_entries_every_request_is_answered_afresh():
    client, state = client_of(entries=0)
    assert [client.get("/gaps").text for _ in range(3)] == ["答 1", "答 2", "答 3"]


def test_a_kept_answer_carries_only_its_own_callers_cors_headers():
    """Middleware outside the cache (CORS) adds headers to each answer it passes on: a kept
    answer sent again must not carry an earlier caller's."""
    client, state = client_of()
    client.app.add_middleware(CORSMiddleware, allow_origins=["https://a.example",
                                                             "https://b.example"])
    answers = [client.get("/gaps", headers={"Origin": origin} if origin else {})
               for origin in ("https://a.example", "https://b.example", "https://a.example",
                              None)]
    assert state["made"] == 1
    assert [a.headers.get("access-control-allow-origin") for a in answers] == [
        "https://a.example", "https://b.example", "https://a.example", None]
    assert all(a.headers.get("vary", "Origin") == "Origin" for a in answers)
