"""`@link` (and legacy `@core`) handling: which specs a supergraph uses and under which names.

Follows the core schema / link spec (https://specs.apollo.dev/link/v1.0): a spec's elements are
referred to as `namespace__element` unless imported; the spec's own directive (`@tag` for the
tag spec) is `@namespace`; `import: ["@x", {name: "@x", as: "@y"}]` brings elements in under a
local name. A link `for: SECURITY` or `for: EXECUTION` must be understood or refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)

from router.supergraph.errors import SupergraphError

__all__ = ["KNOWN_SPECS", "LinkedSpec", "SpecNames", "read_links"]

# Specs whose semantics the router implements (or which carry only metadata).
KNOWN_SPECS = frozenset(
    {
        "link",
        "core",
        "join",
        "inaccessible",
        "tag",
        "authenticated",
        "requiresScopes",
        "policy",
        "cost",
        "listSize",
    }
)
# (`context` — @context/@fromContext — is not implemented, so its SECURITY link is refused.)
_REFUSED_UNLESS_KNOWN = frozenset({"SECURITY", "EXECUTION"})


@dataclass(frozen=True, slots=True)
class LinkedSpec:
    url: str
    name: str
    version: str
    namespace: str
    purpose: str | None
    # element ("@dir" or "Type") -> local name, for imported elements only
    imports: dict[str, str] = field(default_factory=dict)

    def directive(self, element: str) -> str:
        """Local name of the spec directive `element` (without "@")."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.lstrip("@")
        if element == self.name:
            return self.namespace
        return f"{self.namespace}__{element}"

    def type_name(self, element: str) -> str:
        imported = self.imports.get(element)
        if imported is not None:
            return imported
        return f"{self.namespace}__{element}"


@dataclass(frozen=True, slots=True)
class SpecNames:
    """All links of a supergraph, by spec name."""

    specs: dict[str, LinkedSpec]

    def directive(self, spec: str, element: str) -> str | None:
        linked = self.specs.get(spec)
        return linked.directive(element) if linked is not None else None

    def namespaces(self) -> frozenset[str]:
        return frozenset(s.namespace for s in self.specs.values() if s.name in KNOWN_SPECS)

    def imported_names(self) -> frozenset[str]:
        names: set[str] = set()
        for spec in self.specs.values():
            if spec.name in KNOWN_SPECS:
                names.update(local.lstrip("@") for local in spec.imports.values())
                names.add(spec.namespace)
        return frozenset(names)


def _split_url(url: str) -> tuple[str, str]:
    parts = [p for p in url.split("?")[0].split("/") if p]
    if len(parts) >= 2 and parts[-1].startswith("v"):
        return parts[-2], parts[-1]
    if parts:
        return parts[-1], ""
    raise SupergraphError(f"invalid @link url {url!r}")


def _string(value: ConstValueNode | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, StringValueNode):
        return value.value
    if isinstance(value, EnumValueNode):
        return value.value
    raise SupergraphError("expected a string in @link arguments")


def _imports(value: ConstValueNode | None) -> dict[str, str]:
    result: dict[str, str] = {}
    if value is None:
        return result
    items = value.values if isinstance(value, ListValueNode) else (value,)
    for item in items:
        if isinstance(item, StringValueNode):
            result[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: _string(f.value) for f in item.fields}
            name, alias = fields.get("name"), fields.get("as")
            if not name:
                raise SupergraphError("@link import entry without a name")
            if alias and name.startswith("@") != alias.startswith("@"):
                raise SupergraphError(f"@link import {name!r} renamed to {alias!r}: kinds differ")
            result[name] = alias or name
        else:
            raise SupergraphError("invalid @link import entry")
    return result


def _arg(directive: DirectiveNode, name: str) -> ConstValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value  # type: ignore[return-value]
    return None


def read_links(document: DocumentNode) -> SpecNames:
    """Collect every `@link`/`@core` on the schema definition; refuse unknown security links."""
    schema_directives: list[DirectiveNode] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            schema_directives.extend(definition.directives or ())
    specs: dict[str, LinkedSpec] = {}
    for directive in schema_directives:
        name = directive.name.value
        if name not in ("link", "core"):
            continue
        url = _string(_arg(directive, "url" if name == "link" else "feature"))
        if url is None:
            continue
        spec_name, version = _split_url(url)
        purpose = _string(_arg(directive, "for"))
        if purpose in _REFUSED_UNLESS_KNOWN and spec_name not in KNOWN_SPECS:
            raise SupergraphError(
                f"unsupported feature {url} (for: {purpose}): this router cannot enforce it"
            )
        namespace = _string(_arg(directive, "as")) or spec_name
        specs[spec_name] = LinkedSpec(
            url=url,
            name=spec_name,
            version=version,
            namespace=namespace,
            purpose=purpose,
            imports=_imports(_arg(directive, "import")),
        )
    if "join" not in specs:
        raise SupergraphError("not a supergraph: no @link to the join spec")
    return SpecNames(specs)
