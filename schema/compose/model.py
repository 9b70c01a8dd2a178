"""The normalised model of one subgraph that composition works on (no GraphQL AST leaks out)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode, TypeNode, ValueNode

from router.supergraph.typekinds import TypeKind

__all__ = [
    "AppliedDirective",
    "SubArgument",
    "SubEnumValue",
    "SubField",
    "SubType",
    "SubgraphSchema",
    "TypeKind",
]


@dataclass
class AppliedDirective:
    """A directive use kept for the supergraph, by its canonical (un-renamed) name."""

    name: str
    arguments: dict[str, ValueNode] = field(default_factory=dict)


@dataclass
class SubArgument:
    name: str
    type: TypeNode
    default: ValueNode | None = None
    description: str | None = None
    directives: list[AppliedDirective] = field(default_factory=list)


@dataclass
class SubField:
    name: str
    type: TypeNode
    arguments: dict[str, SubArgument] = field(default_factory=dict)
    description: str | None = None
    directives: list[AppliedDirective] = field(default_factory=list)
    shareable: bool = False
    external: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None
    # Input fields only: the default value.
    default: ValueNode | None = None
    # Set by subgraph validation: the field is selected by one of this subgraph's field sets,
    # by a @key (at any depth) or by a @provides.
    used_in_field_set: bool = False
    used_in_key: bool = False
    provided: bool = False


@dataclass
class SubEnumValue:
    name: str
    description: str | None = None
    directives: list[AppliedDirective] = field(default_factory=list)


@dataclass
class SubType:
    name: str
    kind: TypeKind
    description: str | None = None
    fields: dict[str, SubField] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, SubEnumValue] = field(default_factory=dict)
    keys: list[tuple[str, bool]] = field(default_factory=list)
    shareable: bool = False
    extension: bool = False
    interface_object: bool = False
    directives: list[AppliedDirective] = field(default_factory=list)

    @property
    def is_entity(self) -> bool:
        return bool(self.keys)


@dataclass
class SubgraphSchema:
    name: str
    url: str
    fed2: bool
    types: dict[str, SubType] = field(default_factory=dict)
    # Operation ("query"/"mutation"/"subscription") -> root type name, normalised to Query/…
    roots: dict[str, str] = field(default_factory=dict)
    # Names of directives composed in with @composeDirective (canonical name -> spec url).
    composed_directives: dict[str, str] = field(default_factory=dict)
    # Canonical name -> local name of each directive imported through @link.
    imported_directives: dict[str, str] = field(default_factory=dict)
    # Definitions of the composed directives, as written in the subgraph.
    directive_definitions: dict[str, DirectiveDefinitionNode] = field(default_factory=dict)
