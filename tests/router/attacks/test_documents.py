"""Hostile documents and bodies against the real router over FitGraph's supergraph (limits,
introspection and CSRF as router.yaml sets them). Each is refused with its status and code and
without calling a subgraph; wall time is measured and reported, never asserted on.

Statuses follow GraphQL-over-HTTP: under `application/graphql-response+json` a request error
is 4xx; under `application/json` a well-formed request gets 200 (§Status codes)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from tests.router.attacks.probe import Outcome, codes, probe
from tests.router.attacks.stack import FitGraphStack

GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}
LEGACY_JSON = {"accept": "application/json"}
SUBJECT = "00000000-0000-4000-8000-000000000002"


def _nested(cycles: int) -> str:
    # Workout.owner → User.workouts → WorkoutConnection.nodes → Workout: three levels a cycle.
    selection = "id"
    for _ in range(cycles):
        selection = f"owner {{ workouts {{ nodes {{ {selection} }} }} }}"
    return f'{{ workout(id: "w1") {{ {selection} }} }}'


def _fragment_chain(levels: int, type_name: str, leaf: str, spreads: int = 2) -> str:
    """F0 spreads F1 `spreads` times, F1 spreads F2 …: `spreads ** levels` fields once expanded."""
    fragments = [
        f"fragment F{i} on {type_name} {{ {leaf} {f'...F{i + 1} ' * spreads}}}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on {type_name} {{ {leaf} }}")
    return " ".join(fragments)


def _assert_refused(outcome: Outcome, status: int, code: str) -> None:
    assert outcome.status == status, str(outcome)
    assert code in codes(outcome.body), str(outcome)
    assert "data" not in outcome.body, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


# -- bodies ---------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_413(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    padding = "x" * (2 * 1024 * 1024)
    content = orjson.dumps({"query": "{ workout(id: \"w1\") { id } }", "extensions": {"padding": padding}})
    _assert_refused(await probe(router, stack, content=content), 413, "PAYLOAD_TOO_LARGE")


async def test_a_streamed_body_without_length_is_cut_at_the_limit(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    sent = 0

    async def chunks() -> Any:
        nonlocal sent
        # 64 MiB if the router read it all; it must stop reading past 1 MiB.
        for _ in range(1024):
            sent += 1
            yield b" " * 65536

    before = stack.subgraph_requests
    response = await router.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert stack.subgraph_requests == before


async def test_a_declared_huge_length_is_refused_before_reading(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    content = orjson.dumps({"query": "{ __typename }"}) + b" " * (1024 * 1024 + 1)
    _assert_refused(await probe(router, stack, content=content), 413, "PAYLOAD_TOO_LARGE")


# -- document shape limits ------------------------------------------------------------------


async def test_a_deeply_nested_query_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    outcome = await probe(router, stack, {"query": _nested(10)}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "MAX_DEPTH_LIMIT")


async def test_nesting_that_would_exhaust_the_parser_stack_is_a_parse_error(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    # 1,500 nested selection sets in < 5,000 tokens: a recursive-descent parser without a
    # nesting guard would hit Python's recursion limit (a 500).
    query = "{ workout(id: \"w1\") " + "{ owner " * 1500 + "{ id }" + " }" * 1501
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    assert outcome.status == 400, str(outcome)
    assert codes(outcome.body) in (["GRAPHQL_PARSE_FAILED"], ["MAX_DEPTH_LIMIT"]), str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


async def test_an_alias_bomb_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # 200 aliased root fields (under the token limit): both the alias and the root-field limit apply.
    aliases = " ".join(f"a{i}: workout(id: \"w{i}\") {{ id }}" for i in range(200))
    outcome = await probe(router, stack, {"query": f"{{ {aliases} }}"}, headers=GRAPHQL_RESPONSE)
    assert outcome.status == 400, str(outcome)
    found = codes(outcome.body)
    assert found and set(found) <= {"MAX_ALIASES_LIMIT", "MAX_ROOT_FIELDS_LIMIT"}, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


async def test_aliases_inside_one_field_are_counted(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(500))
    outcome = await probe(router, stack, {"query": f'{{ workout(id: "w1") {{ {aliases} }} }}'}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "MAX_ALIASES_LIMIT")


async def test_aliases_multiplied_through_fragments_are_refused(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    # Each fragment holds one alias and spreads the next three times: 3^20 aliases once expanded.
    query = '{ workout(id: "w1") { ...F0 } } ' + _fragment_chain(20, "Workout", "a: id", spreads=3)
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "MAX_ALIASES_LIMIT")


async def test_too_many_tokens_are_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    query = '{ workout(id: "w1") { ' + "id " * 6000 + "} }"
    _assert_refused(await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE), 400, "MAX_TOKENS_LIMIT")


async def test_too_many_root_fields_are_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # Repeating one root field needs no alias: only the root-field limit can catch it.
    query = "{ " + "__typename " * 25 + 'workout(id: "w1") { id } ' * 25 + "}"
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "MAX_ROOT_FIELDS_LIMIT")


# -- fragments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '{ workout(id: "w1") { ...A } } fragment A on Workout { ...A }',
        '{ workout(id: "w1") { ...A } } fragment A on Workout { id ...B } fragment B on Workout { sport ...A }',
        '{ workout(id: "w1") { ...A } } fragment A on Workout { owner { ...B } } '
        "fragment B on User { workouts { nodes { ...A } } }",
    ],
    ids=["self", "mutual", "through-fields"],
)
async def test_circular_fragments_fail_validation(
    router: httpx.AsyncClient, stack: FitGraphStack, query: str
) -> None:
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "GRAPHQL_VALIDATION_FAILED")
    assert "within itself" in outcome.body["errors"][0]["message"], str(outcome)


async def test_circular_fragments_under_legacy_json_are_200_without_data(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    query = '{ workout(id: "w1") { ...A } } fragment A on Workout { id ...B } fragment B on Workout { ...A }'
    outcome = await probe(router, stack, {"query": query}, headers=LEGACY_JSON)
    _assert_refused(outcome, 200, "GRAPHQL_VALIDATION_FAILED")


# -- names, strings, batches ----------------------------------------------------------------


async def test_a_very_long_field_name_is_a_validation_error(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    outcome = await probe(router, stack, {"query": "{ " + "a" * 200_000 + " }"}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "GRAPHQL_VALIDATION_FAILED")


async def test_a_very_long_operation_name_that_is_absent_is_refused(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    payload = {"query": "query Q { __typename }", "operationName": "N" * 200_000}
    outcome = await probe(router, stack, payload, headers=GRAPHQL_RESPONSE)
    assert outcome.status == 400, str(outcome)
    assert outcome.body["errors"][0]["extensions"]["code"], str(outcome)
    assert "data" not in outcome.body and outcome.subgraph_calls == 0, str(outcome)


async def test_a_very_long_string_argument_is_answered_not_crashed(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    # Under every limit, so it is a legitimate request: it must get a GraphQL answer, not a 5xx.
    query = '{ workout(id: "' + "x" * 500_000 + '") { id } }'
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    assert outcome.status == 200, str(outcome)
    assert outcome.body["data"] == {"workout": None} or outcome.body.get("errors"), str(outcome)


async def test_a_batch_over_the_limit_is_refused_whole(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    batch = [{"query": '{ workout(id: "w1") { id } }'}] * 11
    _assert_refused(await probe(router, stack, batch), 400, "BATCH_LIMIT_EXCEEDED")


async def test_a_batch_of_bombs_is_refused_operation_by_operation(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(500))
    batch = [
        {"query": f'{{ workout(id: "w1") {{ {aliases} }} }}'},
        {"query": _nested(10)},
        {"query": '{ workout(id: "w1") { ...A } } fragment A on Workout { ...A }'},
        {"query": "{ __schema { types { name } } }"},
        {"query": "{ __typename }"},
    ]
    outcome = await probe(router, stack, batch)
    assert outcome.status == 200, str(outcome)
    answers = outcome.body
    assert [codes(answer) for answer in answers[:4]] == [
        ["MAX_ALIASES_LIMIT"],
        ["MAX_DEPTH_LIMIT"],
        ["GRAPHQL_VALIDATION_FAILED"],
        ["INTROSPECTION_DISABLED"],
    ], str(outcome)
    assert answers[4] == {"data": {"__typename": "Query"}}, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


# -- introspection and CSRF -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name fields { name } } } }",
        '{ __type(name: "User") { fields { name } } }',
        "{ ...Q } fragment Q on Query { __schema { queryType { name } } }",
        "query { ... on Query { __type(name: \"Workout\") { name } } }",
    ],
    ids=["schema", "type", "in-fragment", "in-inline-fragment"],
)
async def test_introspection_is_disabled(router: httpx.AsyncClient, stack: FitGraphStack, query: str) -> None:
    for token in (None, stack.token(SUBJECT)):
        outcome = await probe(router, stack, {"query": query}, token=token, headers=GRAPHQL_RESPONSE)
        _assert_refused(outcome, 400, "INTROSPECTION_DISABLED")


async def test_typename_is_not_introspection(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    outcome = await probe(router, stack, {"query": "{ __typename }"}, headers=GRAPHQL_RESPONSE)
    assert outcome.status == 200 and outcome.body == {"data": {"__typename": "Query"}}, str(outcome)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
async def test_a_simple_cross_site_post_is_refused(
    router: httpx.AsyncClient, stack: FitGraphStack, content_type: str
) -> None:
    content = orjson.dumps({"query": 'mutation { logout }'})
    outcome = await probe(router, stack, content=content, headers={"content-type": content_type})
    assert 400 <= outcome.status < 500, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


async def test_a_mutation_over_get_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    before = stack.subgraph_requests
    response = await router.get(
        "/graphql",
        params={"query": 'mutation { login(input: {email: "a@b.c", password: "x"}) { accessToken } }'},
        headers={"apollo-require-preflight": "true"},
    )
    assert response.status_code == 405, response.text
    assert stack.subgraph_requests == before


async def test_a_fragment_bomb_at_the_root_is_refused(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # 16 levels of two spreads each: 131,071 root fields once expanded, from a ~200-token document.
    query = "{ ...F0 } " + _fragment_chain(16, "Query", "__typename")
    outcome = await probe(router, stack, {"query": query}, headers=GRAPHQL_RESPONSE)
    _assert_refused(outcome, 400, "MAX_ROOT_FIELDS_LIMIT")


async def test_a_verified_admin_may_introspect(router: httpx.AsyncClient, stack: FitGraphStack) -> None:
    # The counterpart of the refusals above (issue 4: admins may always introspect).
    admin = stack.issuer().issue(SUBJECT, roles=["admin"])
    outcome = await probe(router, stack, {"query": "{ __schema { queryType { name } } }"}, token=admin)
    assert outcome.status == 200, str(outcome)
    assert outcome.body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}, str(outcome)
    assert outcome.subgraph_calls == 0, str(outcome)


async def test_an_admin_role_header_does_not_unlock_introspection(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    spoofed = {**GRAPHQL_RESPONSE, "x-user-roles": "admin", "x-user-id": SUBJECT, "x-roles": "admin"}
    outcome = await probe(router, stack, {"query": "{ __schema { queryType { name } } }"}, headers=spoofed)
    _assert_refused(outcome, 400, "INTROSPECTION_DISABLED")


async def test_a_burst_of_bombs_does_not_starve_a_legitimate_request(
    router: httpx.AsyncClient, stack: FitGraphStack
) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(500))
    hostile = [
        {"query": _nested(10)},
        {"query": f'{{ workout(id: "w1") {{ {aliases} }} }}'},
        {"query": "{ ...F0 } " + _fragment_chain(16, "Query", "__typename")},
        {"query": '{ workout(id: "w1") { ...A } } fragment A on Workout { ...A }'},
    ] * 5
    outcomes = await asyncio.gather(
        *(probe(router, stack, payload, headers=GRAPHQL_RESPONSE) for payload in hostile),
        probe(router, stack, {"query": "{ __typename }"}, headers=GRAPHQL_RESPONSE),
    )
    *refused, legitimate = outcomes
    assert all(outcome.status == 400 and "data" not in outcome.body for outcome in refused), [
        str(outcome) for outcome in refused
    ]
    assert legitimate.status == 200 and legitimate.body == {"data": {"__typename": "Query"}}, str(legitimate)
