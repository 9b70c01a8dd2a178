"""Engine: prepare (parse/validate caches, operation selection), variable coercion, plan cache,
header propagation, local introspection of the API schema. Plans come from a fixed planner so
these tests do not depend on the query planner."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from graphql import DocumentNode

from router.engine import Engine, PreparedOperation
from router.planner import PlanningError
from router.planner.nodes import QueryPlan, SequenceNode
from router.types import GraphQLRequest, GraphQLResponse, RequestContext
from tests.router.executor.plans import entity_fetch, flatten, root_fetch
from tests.router.executor.scenario import SUPERGRAPH_SDL, make_subgraphs
from tests.router.support.subgraph import TestSubgraph, running_subgraphs


class FixedPlanner:
    """Plans by operation name; counts how often it was asked."""

    def __init__(self, plans: dict[str | None, QueryPlan]) -> None:
        self.plans = plans
        self.calls = 0

    def plan(self, document: DocumentNode, operation_name: str | None) -> QueryPlan:
        self.calls += 1
        if operation_name == "Impossible":
            raise PlanningError("no subgraph can serve Query.me here")
        return self.plans[operation_name]


PLANS: dict[str | None, QueryPlan] = {
    "Top": QueryPlan(
        SequenceNode(
            (
                root_fetch(
                    "products", "query($n:Int){topProducts(first:$n){__typename upc name}}", variables=("n",)
                ),
                flatten(
                    "topProducts.@",
                    entity_fetch("reviews", "Product", "reviews{author{__typename id}}", key=("upc",)),
                ),
                flatten("topProducts.@.reviews.@.author", entity_fetch("accounts", "User", "name")),
            )
        )
    ),
    "Me": QueryPlan(root_fetch("accounts", "{me{name}}")),
    "Intro": QueryPlan(None),
}

Env = tuple[Engine, FixedPlanner, dict[str, TestSubgraph]]


@pytest.fixture(scope="module")
async def engine_env() -> AsyncIterator[Env]:
    subgraphs = make_subgraphs()
    planner = FixedPlanner(PLANS)
    async with running_subgraphs(subgraphs) as urls:
        engine = Engine(SUPERGRAPH_SDL, subgraph_urls=urls, planner=planner)
        try:
            yield engine, planner, subgraphs
        finally:
            await engine.aclose()


@pytest.fixture
def env(engine_env: Env) -> Env:
    for subgraph in engine_env[2].values():
        subgraph.reset()
    return engine_env


def _prepared(engine: Engine, request: GraphQLRequest) -> PreparedOperation:
    prepared = engine.prepare(request)
    assert isinstance(prepared, PreparedOperation), prepared
    return prepared


async def _run(
    engine: Engine, request: GraphQLRequest, context: RequestContext | None = None
) -> GraphQLResponse:
    prepared = engine.prepare(request)
    if isinstance(prepared, GraphQLResponse):
        return prepared
    return await engine.execute(prepared, request, context or RequestContext(request_id="t"))


TOP_QUERY = "query Top($n: Int) { topProducts(first: $n) { name reviews { author { name } } } }"


async def test_execute_runs_the_plan_with_coerced_variables_and_caches_it(env: Env) -> None:
    engine, planner, subgraphs = env
    calls_before = planner.calls
    request = GraphQLRequest(query=TOP_QUERY, variables={"n": 1})
    context = RequestContext(request_id="r1", subgraph_headers={"x-request-id": "r1"})
    for _ in range(2):
        response = await _run(engine, request, context)
        assert response.is_request_error is False
        assert response.body == {
            "data": {
                "topProducts": [
                    {"name": "Table", "reviews": [{"author": {"name": "Ada"}}, {"author": {"name": "Grace"}}]}
                ]
            }
        }
    assert planner.calls == calls_before + 1
    assert [r.variables for r in subgraphs["products"].received] == [{"n": 1}, {"n": 1}]
    assert all(r.headers["x-request-id"] == "r1" for s in subgraphs.values() for r in s.received)


def test_prepare_caches_parse_and_validation_by_query_text(env: Env) -> None:
    engine = env[0]
    first = _prepared(engine, GraphQLRequest(query=TOP_QUERY))
    second = _prepared(engine, GraphQLRequest(query=TOP_QUERY, operation_name="Top"))
    assert first.document is second.document
    assert first.document_hash == second.document_hash
    assert (first.operation_type, first.operation_name) == ("query", "Top")


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            GraphQLRequest(query="{ me { name }"),
            {
                "errors": [
                    {
                        "message": "Syntax Error: Expected Name, found <EOF>.",
                        "locations": [{"line": 1, "column": 14}],
                        "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
                    }
                ]
            },
        ),
        (
            GraphQLRequest(query="{ me { nope } }"),
            {
                "errors": [
                    {
                        "message": "Cannot query field 'nope' on type 'User'. Did you mean 'name'?",
                        "locations": [{"line": 1, "column": 8}],
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            },
        ),
        (
            GraphQLRequest(query=None),
            {"errors": [{"message": "Must provide query string.", "extensions": {"code": "BAD_REQUEST"}}]},
        ),
        (
            GraphQLRequest(query="query A { me { name } } query B { me { id } }"),
            {
                "errors": [
                    {
                        "message": "Must provide operation name if query contains multiple operations.",
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            },
        ),
        (
            GraphQLRequest(query="query A { me { name } }", operation_name="C"),
            {
                "errors": [
                    {
                        "message": 'Unknown operation named "C".',
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            },
        ),
        (
            GraphQLRequest(query="{ topProducts { category(x: 1) } }"),
            {
                "errors": [
                    {
                        "message": "Unknown argument 'x' on field 'Product.category'.",
                        "locations": [{"line": 1, "column": 26}],
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ]
            },
        ),
    ],
)
def test_prepare_rejects_bad_documents_with_request_errors(
    env: Env, request_: GraphQLRequest, expected: dict[str, object]
) -> None:
    response = env[0].prepare(request_)
    assert isinstance(response, GraphQLResponse)
    assert response.is_request_error is True
    assert response.body == expected


async def test_variables_that_do_not_coerce_are_a_request_error(env: Env) -> None:
    engine, _, subgraphs = env
    response = await _run(engine, GraphQLRequest(query=TOP_QUERY, variables={"n": "many"}))
    assert response.is_request_error is True
    [failure] = response.body["errors"]
    assert failure["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$n" in failure["message"]
    assert all(not s.received for s in subgraphs.values())


async def test_introspection_shows_the_api_schema_only(env: Env) -> None:
    engine = env[0]
    query = """query Intro {
      category: __type(name: "Category") { enumValues { name } }
      graph: __type(name: "join__Graph") { name }
      __schema { types { name } }
    }"""
    response = await _run(engine, GraphQLRequest(query=query))
    data = response.body["data"]
    assert data["category"] == {"enumValues": [{"name": "BOOKS"}, {"name": "GAMES"}]}
    assert data["graph"] is None
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Query", "Mutation", "User", "Product", "Review", "SearchResult", "Category"} <= names
    assert not any(name.startswith(("join__", "link__")) for name in names)
    assert "errors" not in response.body


async def test_subscriptions_and_planner_failures_are_reported_not_raised(env: Env) -> None:
    engine = env[0]
    failing = await _run(engine, GraphQLRequest(query="query Unplanned { me { name } }"))
    assert failing.is_request_error is True
    # An unexpected planner crash is masked ...
    assert failing.body == {
        "errors": [{"message": "Query planning failed", "extensions": {"code": "QUERY_PLANNING_FAILED"}}]
    }
    # ... a PlanningError says what cannot be planned.
    impossible = await _run(engine, GraphQLRequest(query="query Impossible { me { name } }"))
    assert impossible.body == {
        "errors": [
            {
                "message": "Query planning failed: no subgraph can serve Query.me here",
                "extensions": {"code": "QUERY_PLANNING_FAILED"},
            }
        ]
    }
    subscription = engine.prepare(GraphQLRequest(query="subscription { me { name } }"))
    assert isinstance(subscription, GraphQLResponse)
    assert subscription.is_request_error is True


async def test_tiny_caches_evicting_documents_and_plans_keep_answers_right(env: Env) -> None:
    engine = Engine(
        SUPERGRAPH_SDL, subgraph_urls=env[0].subgraph_urls, planner=FixedPlanner(PLANS), cache_size=1
    )
    try:
        top = GraphQLRequest(query=TOP_QUERY, variables={"n": 1})
        me = GraphQLRequest(query="query Me { me { name } }")
        for _ in range(3):
            assert (await _run(engine, top)).body["data"]["topProducts"][0]["name"] == "Table"
            assert (await _run(engine, me)).body == {"data": {"me": {"name": "Ada"}}}
    finally:
        await engine.aclose()


async def test_per_subgraph_timeout_overrides_the_default(env: Env) -> None:
    engine, _, subgraphs = env
    fast = Engine(
        SUPERGRAPH_SDL,
        subgraph_urls=engine.subgraph_urls,
        planner=FixedPlanner(PLANS),
        subgraph_timeout=30.0,
        subgraph_timeouts={"reviews": 0.2},
    )
    subgraphs["reviews"].failure = "hang"
    try:
        response = await _run(fast, GraphQLRequest(query=TOP_QUERY, variables={"n": 1}))
    finally:
        subgraphs["reviews"].release_hanging()
        await fast.aclose()
    assert response.body["data"] is None  # reviews is non-null all the way up
    assert {e["extensions"]["code"] for e in response.body["errors"]} == {"GATEWAY_TIMEOUT"}
    assert "0.2s" in response.body["errors"][0]["message"]
