"""Resolve a subgraph's `@link` imports into a local-name → canonical-name directive map.

Core schema spec (https://specs.apollo.dev/link/v1.0) §Imports and §Prefixing: an imported
element is used under its (optionally renamed) import name; every other element of a linked
spec is reachable as `prefix__name`, the prefix being `as:` or the spec's name. A linked
spec's root directive (same name as the spec, e.g. `@tag` of `tag/v0.3`) is the bare prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

__all__ = ["FEDERATION_DIRECTIVES", "LinkResolution", "resolve_links"]

# Federation directive -> first federation 2 minor version that defines it.
FEDERATION_DIRECTIVES: dict[str, int] = {
    "key": 0,
    "requires": 0,
    "provides": 0,
    "external": 0,
    "tag": 0,
    "extends": 0,
    "shareable": 0,
    "inaccessible": 0,
    "override": 0,
    "composeDirective": 1,
    "interfaceObject": 3,
    "authenticated": 5,
    "requiresScopes": 5,
    "policy": 6,
    "context": 8,
    "fromContext": 8,
    "cost": 9,
    "listSize": 9,
}
_FEDERATION_TYPES = {"FieldSet", "Scope", "Policy", "ContextFieldValue"}
# Directives of the stand-alone specs a subgraph may link directly (spec name -> directives).
_OTHER_SPECS: dict[str, tuple[str, ...]] = {
    "tag": ("tag",),
    "inaccessible": ("inaccessible",),
    "authenticated": ("authenticated",),
    "requiresScopes": ("requiresScopes",),
    "policy": ("policy",),
    "cost": ("cost", "listSize"),
}
_URL = re.compile(r"^(?P<base>.*)/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$")
_FEDERATION_BASE = "https://specs.apollo.dev"


@dataclass
class LinkResolution:
    fed2: bool = False
    federation_minor: int = 0
    # Local directive name -> canonical name ("key", "tag", …). Unknown names are absent.
    directives: dict[str, str] = field(default_factory=dict)
    # Local type names that belong to linked specs (FieldSet, link__Import, …): never composed.
    spec_types: set[str] = field(default_factory=set)
    # Custom (non-Apollo) linked directives: local name -> spec url, for @composeDirective.
    custom: dict[str, str] = field(default_factory=dict)
    # Canonical name -> local name of every explicitly imported directive.
    imported: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _string(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _imports(value: ValueNode | None) -> list[tuple[str, str]]:
    """`import: ["@key", {name: "@key", as: "@k"}]` -> [(name, local name)]."""
    result: list[tuple[str, str]] = []
    if not isinstance(value, ListValueNode):
        return result
    for item in value.values:
        if isinstance(item, StringValueNode):
            result.append((item.value, item.value))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: _string(f.value) for f in item.fields}
            name = fields.get("name")
            if name:
                result.append((name, fields.get("as") or name))
    return result


def _link_directives(document: DocumentNode) -> list[DirectiveNode]:
    found: list[DirectiveNode] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            found.extend(d for d in definition.directives or () if d.name.value == "link")
    return found


def resolve_links(document: DocumentNode) -> LinkResolution:
    """Read every `@link` of the schema definition/extensions of a subgraph document."""
    resolution = LinkResolution()
    links = _link_directives(document)
    for link in links:
        arguments = {argument.name.value: argument.value for argument in link.arguments or ()}
        url = _string(arguments.get("url")) or ""
        match = _URL.match(url)
        if match is None:
            resolution.errors.append(f'invalid @link url "{url}"')
            continue
        spec, minor = match["name"], int(match["minor"])
        prefix = _string(arguments.get("as")) or spec
        imports = _imports(arguments.get("import"))
        if spec == "federation" and match["base"] == _FEDERATION_BASE:
            resolution.fed2 = True
            resolution.federation_minor = minor
            _add_spec(resolution, prefix, imports, FEDERATION_DIRECTIVES, minor, spec)
        elif spec in _OTHER_SPECS and match["base"] == _FEDERATION_BASE:
            _add_spec(resolution, prefix, imports, dict.fromkeys(_OTHER_SPECS[spec], 0), minor, spec)
        elif spec != "link":
            for name, local in imports:
                if name.startswith("@"):
                    resolution.custom[local[1:]] = url
            resolution.custom.setdefault(prefix, url)
        resolution.spec_types.update({f"{prefix}__{t}" for t in ("Import", "Purpose")})
    if not resolution.fed2:
        # Federation 1 (no federation @link): every directive is used under its own name.
        resolution.directives.update({name: name for name in FEDERATION_DIRECTIVES})
        resolution.spec_types.update({"_FieldSet", "FieldSet"})
    resolution.spec_types.update({"link__Import", "link__Purpose", "_Any", "_Service", "_Entity"})
    return resolution


def _add_spec(
    resolution: LinkResolution,
    prefix: str,
    imports: list[tuple[str, str]],
    directives: dict[str, int],
    minor: int,
    spec: str,
) -> None:
    for name in directives:
        resolution.directives.setdefault(f"{prefix}__{name}", name)
    if prefix in directives:
        resolution.directives.setdefault(prefix, prefix)
    for type_name in _FEDERATION_TYPES:
        resolution.spec_types.add(f"{prefix}__{type_name}")
    for name, local in imports:
        if name.startswith("@"):
            canonical = name[1:]
            if canonical not in directives:
                resolution.errors.append(f'cannot import unknown element "{name}" from the {spec} spec')
            elif spec == "federation" and directives[canonical] > minor:
                resolution.errors.append(
                    f'"{name}" needs federation v2.{directives[canonical]} but the subgraph links v2.{minor}'
                )
            else:
                resolution.directives[local[1:]] = canonical
                resolution.imported[canonical] = local[1:]
        elif name in _FEDERATION_TYPES:
            resolution.spec_types.add(local)
