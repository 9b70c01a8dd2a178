"""The authorization stage on a real Engine's prepared operations: the rewritten operation it
hands on, the policy hook (sync, async, failing, absent), per-grant plan keys, and errors
appended to the final response."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import print_ast

from auth.claims import Claims
from router.engine import Engine
from router.pipeline import Operation
from router.security.authn import CLAIMS_ATTRIBUTE
from router.security.config import AuthorizationConfig
from router.security.directives import AuthorizationRequirements
from router.stages.authz import AuthzStage, load_policy_hook
from router.types import GraphQLRequest, GraphQLResponse
from tests.router.security.fixtures import supergraph_sdl
from tests.router.security.support import Terminal, make_operation

SDL = supergraph_sdl({"accounts": "http://127.0.0.1:9/graphql", "billing": "http://127.0.0.1:9/graphql"})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(SDL)


def prepared_operation(engine: Engine, query: str, claims: Claims | None = None) -> Operation:
    operation = make_operation(query, engine=engine)
    prepared = engine.prepare(GraphQLRequest(query))
    assert not isinstance(prepared, GraphQLResponse), prepared
    operation.prepared = prepared
    if claims is not None:
        operation.context.attributes[CLAIMS_ATTRIBUTE] = claims
    return operation


def claims(*scopes: str, **raw: Any) -> Claims:
    return Claims("u1", frozenset({"user"}), frozenset(scopes), 0, 0, "t", raw=raw)


async def test_rewritten_operation_reaches_the_next_stage_with_its_own_hash(engine: Engine) -> None:
    stage = AuthzStage()
    terminal = Terminal(body={"data": {"users": [{"name": "Ada"}]}})
    operation = prepared_operation(engine, "{ users { name email } }")
    original = operation.prepared
    assert original is not None
    response = await stage(operation, terminal)
    handed = terminal.reached[0].prepared
    assert handed is not None and handed is not original
    assert handed.document_hash.startswith(original.document_hash + ":authz:")
    assert " ".join(print_ast(handed.document).split()) == "{ users { name } }"
    assert handed.operation is handed.document.definitions[0]
    assert handed.fragments == {}  # type: ignore[attr-defined]
    assert response.body == {
        "data": {"users": [{"name": "Ada", "email": None}]},
        "errors": [
            {
                "message": "Unauthorized field or type",
                "path": ["users", "@", "email"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    # Another grant, another hash: plans of different rights never share a cache entry.
    other = prepared_operation(engine, "{ users { name email salary } }", claims())
    await stage(other, terminal)
    assert terminal.reached[1].prepared is not None
    assert terminal.reached[1].prepared.document_hash != handed.document_hash


async def test_authorized_operation_is_handed_on_untouched(engine: Engine) -> None:
    terminal = Terminal()
    operation = prepared_operation(engine, "{ users { name email } }", claims("profile:read"))
    prepared = operation.prepared
    response = await AuthzStage()(operation, terminal)
    assert terminal.reached[0].prepared is prepared
    assert response.body == {"data": {"ok": True}}


async def test_policy_hook_is_asked_about_the_policies_of_the_operation(engine: Engine) -> None:
    asked: list[frozenset[str]] = []

    async def hook(who: Claims | None, policies: frozenset[str]) -> list[str]:
        asked.append(policies)
        return ["hr", "not-asked-about"]

    terminal = Terminal()
    stage = AuthzStage(policy_hook=hook)
    await stage(prepared_operation(engine, "{ users { name salary } }", claims()), terminal)
    assert asked == [frozenset({"hr"})]
    handed = terminal.reached[0].prepared
    # Granted: the operation needs no rewriting at all.
    assert handed is not None and " ".join(print_ast(handed.document).split()) == "{ users { name salary } }"
    # An operation touching no policy does not call the hook.
    await stage(prepared_operation(engine, "{ motd }", claims()), terminal)
    assert len(asked) == 1


async def test_failing_or_missing_policy_hook_denies(engine: Engine) -> None:
    def broken(who: Claims | None, policies: frozenset[str]) -> list[str]:
        raise RuntimeError("policy service down")

    for stage in (AuthzStage(policy_hook=broken), AuthzStage()):
        terminal = Terminal(body={"data": {"users": []}})
        response = await stage(prepared_operation(engine, "{ users { name salary } }", claims()), terminal)
        assert response.body["errors"][0]["path"] == ["users", "@", "salary"]
        assert response.body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_nothing_left_answers_without_the_next_stage(engine: Engine) -> None:
    terminal = Terminal()
    response = await AuthzStage()(prepared_operation(engine, "query Me { me { name } }"), terminal)
    assert terminal.reached == []
    assert response.body["data"] is None
    assert response.body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not response.is_request_error


async def test_disabled_or_fixed_requirements(engine: Engine) -> None:
    terminal = Terminal()
    operation = prepared_operation(engine, "{ me { name } }")
    await AuthzStage(AuthorizationConfig(enabled=False))(operation, terminal)
    assert len(terminal.reached) == 1
    # Fixed (empty) requirements override the supergraph's.
    operation = prepared_operation(engine, "{ me { name } }")
    await AuthzStage(requirements=AuthorizationRequirements())(operation, terminal)
    assert len(terminal.reached) == 2


async def test_request_errors_from_later_stages_are_left_alone(engine: Engine) -> None:
    async def refuse(operation: Operation) -> GraphQLResponse:
        return GraphQLResponse(body={"errors": [{"message": "bad variables"}]}, is_request_error=True)

    response = await AuthzStage()(prepared_operation(engine, "{ users { name email } motd }"), refuse)
    assert response.body == {"errors": [{"message": "bad variables"}]}


def test_policy_hook_reference_is_validated() -> None:
    assert load_policy_hook("tests.router.security.fixtures:hr_policy") is not None
    with pytest.raises(ValueError, match="not a callable"):
        load_policy_hook("tests.router.security.fixtures:USERS")
    with pytest.raises(ModuleNotFoundError):
        load_policy_hook("no.such.module:hook")
    with pytest.raises(ValueError):
        AuthorizationConfig(policy_hook="not a reference")
