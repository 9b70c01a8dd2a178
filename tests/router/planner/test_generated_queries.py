"""Property check over every supergraph of these tests: random valid client queries (fixed
seed) either plan or raise PlanningError, and every planned subgraph operation is well-formed
GraphQL that declares exactly the variables it uses."""

from __future__ import annotations

import importlib
import pkgutil
import random

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
    visit,
)

import tests.router.planner as planner_tests
from router.planner import PlanningError
from tests.router.planner.helpers import fetches, planner_for


def _supergraphs() -> dict[str, str]:
    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(planner_tests.__path__):
        if not info.name.startswith("test_") or info.name == "test_generated_queries":
            continue
        module = importlib.import_module(f"tests.router.planner.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, str) and "enum join__Graph" in value and value not in found.values():
                found[f"{info.name}.{name}"] = value
    return found


class _Generator:
    def __init__(self, schema: GraphQLSchema, seed: int) -> None:
        self.schema = schema
        self.rng = random.Random(seed)

    def selection(self, named: GraphQLNamedType, depth: int) -> str:
        parts: list[str] = []
        if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
            parts.append("__typename")
            possible = list(self.schema.get_possible_types(named))
            for obj in self.rng.sample(possible, min(len(possible), 2)):
                inner = self.selection(obj, depth)
                parts.append(f"... on {obj.name} {inner}")
            if isinstance(named, GraphQLUnionType):
                return "{ " + " ".join(parts) + " }"
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        fields = list(named.fields.items())
        for name, field in self.rng.sample(fields, min(len(fields), 3)):
            required = [(n, a) for n, a in field.args.items() if isinstance(a.type, GraphQLNonNull)]
            args = ", ".join(f'{n}: "1"' if "Int" not in str(a.type) else f"{n}: 1" for n, a in required)
            text = (f"k{self.rng.randint(0, 2)}: " if self.rng.random() < 0.2 else "") + name
            text += f"({args})" if args else ""
            child = get_named_type(field.type)
            if is_leaf_type(child):
                parts.append(text)
            elif depth > 0:
                parts.append(text + " " + self.selection(child, depth - 1))
        return "{ " + " ".join(parts or ["__typename"]) + " }"


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self.declared: set[str] = set()

    def enter_variable_definition(self, node: object, *_: object) -> None:
        self.declared.add(node.variable.name.value)  # type: ignore[attr-defined]

    def enter_variable(self, node: VariableNode, _key: object, parent: object, *_: object) -> None:
        self.used.add(node.name.value)


@pytest.mark.parametrize("name", sorted(_supergraphs()))
def test_random_queries_plan_into_well_formed_operations(name: str) -> None:
    supergraph, planner = planner_for(_supergraphs()[name])
    schema = supergraph.api_schema
    assert schema.query_type is not None
    generator = _Generator(schema, seed=20)
    planned = 0
    for _ in range(15):
        document = parse(generator.selection(schema.query_type, 2))
        if validate(schema, document):
            continue
        try:
            plan = planner.plan(document, None)
        except PlanningError:
            continue
        planned += 1
        assert plan == planner.plan(document, None)
        for fetch in fetches(plan.node):
            operation = parse(fetch.operation).definitions[0]
            assert isinstance(operation, OperationDefinitionNode)
            variables = _Variables()
            visit(operation, variables)
            # declared (including $representations) exactly once each, all used
            assert variables.declared == variables.used
            assert set(fetch.variable_usages) == variables.declared - {"representations"}
            assert (fetch.requires is not None) == ("representations" in variables.declared)
    assert planned > 0 or name in {
        "test_abstract_types.ABSTRACT",
        "test_keys.CYCLIC_KEYS",
        "test_node.SDL",
        "test_shared_root.SDL",
    }
