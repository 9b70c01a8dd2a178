"""Build the trusted-documents manifest from `*.graphql` operation files.

Each named operation becomes one entry whose body is the operation plus the fragments it
uses (transitively), printed by graphql-core so that formatting never changes an id; the id is
the SHA-256 of the body (hex), which is also what Apollo clients send as the APQ hash.
The output is Apollo's persisted-query manifest format (`format`, `version`, `operations`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    validate,
    visit,
)
from graphql.language import Visitor

__all__ = ["DEFAULT_DIRECTORY", "OperationsError", "build_manifest", "operation_bodies"]

DEFAULT_DIRECTORY = Path(__file__).resolve().parent


class OperationsError(ValueError):
    """An operation file does not parse, an operation is anonymous, or a name repeats."""


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.append(node.name.value)


def _used_fragments(node: Node, fragments: dict[str, FragmentDefinitionNode]) -> list[FragmentDefinitionNode]:
    seen: dict[str, FragmentDefinitionNode] = {}
    pending: list[Node] = [node]
    while pending:
        visitor = _Spreads()
        visit(pending.pop(), visitor)
        for name in visitor.names:
            if name in seen:
                continue
            fragment = fragments.get(name)
            if fragment is None:
                raise OperationsError(f"unknown fragment {name!r}")
            seen[name] = fragment
            pending.append(fragment)
    return [seen[name] for name in sorted(seen)]


def operation_bodies(files: list[Path]) -> dict[str, str]:
    """Operation name → self-contained body, over every file (fragments are shared)."""
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for file in files:
        try:
            document = parse(file.read_text(encoding="utf-8"), no_location=True)
        except GraphQLError as error:
            raise OperationsError(f"{file}: {error.message}") from None
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise OperationsError(f"{file}: every first-party operation needs a name")
                name = definition.name.value
                if name in operations:
                    raise OperationsError(f"{file}: operation {name} is defined twice")
                operations[name] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    bodies: dict[str, str] = {}
    for name in sorted(operations):
        operation = operations[name]
        document = DocumentNode(definitions=(operation, *_used_fragments(operation, fragments)))
        bodies[name] = print_ast(document)
    return bodies


def build_manifest(
    directory: Path = DEFAULT_DIRECTORY, *, schema: GraphQLSchema | None = None
) -> dict[str, Any]:
    """The manifest of every operation in `directory/*.graphql`; with `schema`, each body must
    also validate against it (e.g. the supergraph's API schema)."""
    files = sorted(directory.glob("*.graphql"))
    if not files:
        raise OperationsError(f"no *.graphql files in {directory}")
    entries: list[dict[str, str]] = []
    for name, body in operation_bodies(files).items():
        if schema is not None:
            errors = validate(schema, parse(body))
            if errors:
                raise OperationsError(f"operation {name}: " + "; ".join(error.message for error in errors))
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        kind = body.split(" ", 1)[0]
        entries.append({"id": digest, "body": body, "name": name, "type": kind})
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": entries}
