"""The authorization directives of a supergraph: `@authenticated`, `@requiresScopes`, `@policy`.

They arrive through `@link` (https://specs.apollo.dev/authenticated/v0.1,
…/requiresScopes/v0.1, …/policy/v0.1), possibly renamed: per the link spec
(https://specs.apollo.dev/link/v1.0) an imported element keeps its import name (or the `as`
of `{name: "@x", as: "@y"}`); otherwise it is `@<namespace>__<name>`, and the spec's own
directive may also be written `@<namespace>`. They apply to fields and to object types,
interfaces, scalars and enums (definitions and extensions).

`@requiresScopes(scopes: [[…]])` / `@policy(policies: [[…]])`: the outer list is OR, each inner
list AND. Several directives on one element must all hold, so each is kept as its own group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import (
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    parse,
)

__all__ = ["AuthorizationRequirements", "Requirement", "satisfied"]

# A requirement group: alternatives (OR), each a set of names that must all be held (AND).
Alternatives = tuple[frozenset[str], ...]

_SPECS = ("authenticated", "requiresScopes", "policy")
_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one schema element demands; every group of `scopes` and `policies` must hold."""

    authenticated: bool = False
    scopes: tuple[Alternatives, ...] = ()
    policies: tuple[Alternatives, ...] = ()

    def merge(self, other: Requirement) -> Requirement:
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes + other.scopes,
            self.policies + other.policies,
        )

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)

    def policy_names(self) -> frozenset[str]:
        return frozenset(name for group in self.policies for alternative in group for name in alternative)


def _granted(groups: tuple[Alternatives, ...], held: frozenset[str]) -> bool:
    # An empty outer list demands nothing (Apollo semantics; mirrors auth.Claims.satisfies).
    return all(not group or any(alternative <= held for alternative in group) for group in groups)


def satisfied(
    requirement: Requirement, *, authenticated: bool, scopes: frozenset[str], policies: frozenset[str]
) -> bool:
    """Whether a caller with this status, these scopes and these granted policies passes."""
    if requirement.authenticated and not authenticated:
        return False
    return _granted(requirement.scopes, scopes) and _granted(requirement.policies, policies)


@dataclass(frozen=True, slots=True)
class AuthorizationRequirements:
    """Requirements by type name and by (type name, field name); empty when nothing is protected."""

    types: dict[str, Requirement] = field(default_factory=dict)
    fields: dict[tuple[str, str], Requirement] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.types and not self.fields

    @property
    def scope_names(self) -> frozenset[str]:
        return frozenset(
            name
            for requirement in (*self.types.values(), *self.fields.values())
            for group in requirement.scopes
            for alternative in group
            for name in alternative
        )

    @classmethod
    def from_sdl(cls, sdl: str | DocumentNode) -> AuthorizationRequirements:
        document = parse(sdl, no_location=True) if isinstance(sdl, str) else sdl
        names = _directive_names(document)
        if not names:
            return cls()
        types: dict[str, Requirement] = {}
        fields: dict[tuple[str, str], Requirement] = {}
        for definition in document.definitions:
            if not isinstance(definition, _TYPE_NODES):
                continue
            type_name = definition.name.value
            requirement = _read(definition.directives or (), names)
            if not requirement.empty:
                types[type_name] = types.get(type_name, Requirement()).merge(requirement)
            for field_node in getattr(definition, "fields", None) or ():
                requirement = _read(field_node.directives or (), names)
                if not requirement.empty:
                    key = (type_name, field_node.name.value)
                    fields[key] = fields.get(key, Requirement()).merge(requirement)
        return cls(types, fields)


def _string(value: ConstValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _argument(directive: DirectiveNode, name: str) -> ConstValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value  # type: ignore[return-value]
    return None


def _spec_of(url: str) -> str | None:
    # https://specs.apollo.dev/<name>/v<x.y>: the name is the second to last path segment.
    parts = [part for part in url.split("?", 1)[0].split("/") if part]
    if len(parts) >= 2 and parts[-1].startswith("v") and parts[-2] in _SPECS:
        return parts[-2]
    return None


def _directive_names(document: DocumentNode) -> dict[str, str]:
    """Local directive name → spec element ("authenticated" / "requiresScopes" / "policy")."""
    names: dict[str, str] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            url = _string(_argument(directive, "url"))
            spec = _spec_of(url) if url else None
            if spec is None:
                continue
            namespace = _string(_argument(directive, "as")) or spec
            imported = _imports(_argument(directive, "import"))
            local = imported.get("@" + spec)
            if local is not None:
                names[local.lstrip("@")] = spec
            else:
                names[f"{namespace}__{spec}"] = spec
                names[namespace] = spec
    return names


def _imports(value: ConstValueNode | None) -> dict[str, str]:
    result: dict[str, str] = {}
    items: Iterable[ConstValueNode] = value.values if isinstance(value, ListValueNode) else ()
    for item in items:
        if isinstance(item, StringValueNode):
            result[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            entries = {entry.name.value: _string(entry.value) for entry in item.fields}
            name = entries.get("name")
            if name:
                result[name] = entries.get("as") or name
    return result


def _groups(value: ConstValueNode | None) -> Alternatives:
    if not isinstance(value, ListValueNode):
        return ()
    alternatives: list[frozenset[str]] = []
    for group in value.values:
        items = group.values if isinstance(group, ListValueNode) else (group,)
        alternatives.append(frozenset(text for item in items if (text := _string(item)) is not None))
    return tuple(alternatives)


def _read(directives: Iterable[DirectiveNode], names: dict[str, str]) -> Requirement:
    authenticated = False
    scopes: list[Alternatives] = []
    policies: list[Alternatives] = []
    for directive in directives:
        spec = names.get(directive.name.value)
        if spec == "authenticated":
            authenticated = True
        elif spec == "requiresScopes":
            scopes.append(_groups(_argument(directive, "scopes")))
        elif spec == "policy":
            policies.append(_groups(_argument(directive, "policies")))
    return Requirement(authenticated, tuple(scopes), tuple(policies))
