"""Print a `Supergraph` as supergraph SDL in the standard format (link v1.0 + join v0.3), the
shape Apollo composition emits and Apollo Router / Hive Gateway / FitGraph's router load."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import StringValueNode, ValueNode, print_ast
from graphql.language.block_string import print_block_string

from schema.compose.model import AppliedDirective, SubgraphSchema, SubType
from schema.compose.supermodel import JoinField, SuperArgument, SuperField, Supergraph, SuperType
from schema.compose.typerefs import type_string

__all__ = ["print_supergraph"]

LINK_URL = "https://specs.apollo.dev/link/v1.0"
JOIN_URL = "https://specs.apollo.dev/join/v0.3"

# Directive definitions of link v1.0 and join v0.3, by name (Apollo prints them sorted).
_CORE_DIRECTIVES: dict[str, str] = {
    "join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
    "join__field": (
        "directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, "
        "type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on "
        "FIELD_DEFINITION | INPUT_FIELD_DEFINITION"
    ),
    "join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
    "join__implements": (
        "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE"
    ),
    "join__type": (
        "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, "
        "resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | "
        "UNION | ENUM | INPUT_OBJECT | SCALAR"
    ),
    "join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION",
    "link": "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA",
}
_CORE_TYPES: dict[str, str] = {
    "join__FieldSet": "scalar join__FieldSet",
    "link__Import": "scalar link__Import",
    "link__Purpose": (
        "enum link__Purpose {\n"
        '  """\n  `SECURITY` features provide metadata necessary to securely resolve fields.\n  """\n'
        "  SECURITY\n\n"
        '  """\n  `EXECUTION` features provide metadata necessary for operation execution.\n  """\n'
        "  EXECUTION\n}"
    ),
}


@dataclass(frozen=True)
class _Feature:
    url: str
    purpose: str | None
    # Canonical directive name -> its definition with `{name}` standing for the printed name.
    directives: dict[str, str]
    types: dict[str, str]


# In the order Apollo lists their @link on the schema.
_FEATURES: tuple[_Feature, ...] = (
    _Feature(
        "https://specs.apollo.dev/tag/v0.3",
        None,
        {
            "tag": "directive @{name}(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | "
            "ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
        },
        {},
    ),
    _Feature(
        "https://specs.apollo.dev/inaccessible/v0.2",
        "SECURITY",
        {
            "inaccessible": "directive @{name} on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION "
            "| SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
        },
        {},
    ),
    _Feature(
        "https://specs.apollo.dev/authenticated/v0.1",
        "SECURITY",
        {"authenticated": "directive @{name} on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"},
        {},
    ),
    _Feature(
        "https://specs.apollo.dev/requiresScopes/v0.1",
        "SECURITY",
        {
            "requiresScopes": "directive @{name}(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | "
            "OBJECT | INTERFACE | SCALAR | ENUM"
        },
        {"requiresScopes__Scope": "scalar requiresScopes__Scope"},
    ),
    _Feature(
        "https://specs.apollo.dev/policy/v0.1",
        "SECURITY",
        {
            "policy": "directive @{name}(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | "
            "INTERFACE | SCALAR | ENUM"
        },
        {"policy__Policy": "scalar policy__Policy"},
    ),
    _Feature(
        "https://specs.apollo.dev/cost/v0.1",
        None,
        {
            "cost": "directive @{name}(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
            "INPUT_FIELD_DEFINITION | OBJECT | SCALAR",
            "listSize": "directive @{name}(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
            "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
        },
        {},
    ),
)


def _string(value: str) -> str:
    return print_ast(StringValueNode(value=value))


def _description(description: str | None, indent: str, first: bool = True) -> list[str]:
    """graphql-js layout: a described member that is not first in its block gets a blank line."""
    if not description:
        return []
    block = print_block_string(description)
    lines = [indent + line if line else line for line in block.split("\n")]
    return lines if first else ["", *lines]


def _sort_key(name: str) -> tuple[str, str]:
    return name.lower(), name


class _Printer:
    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.enum_values = {graph.name: graph.enum_value for graph in supergraph.graphs}
        self.names = supergraph.directive_names
        self.used: set[str] = set()

    def graph(self, name: str) -> str:
        return self.enum_values[name]

    def applied(self, directives: list[AppliedDirective]) -> list[str]:
        printed: list[str] = []
        for directive in directives:
            self.used.add(directive.name)
            name = self.names.get(directive.name, directive.name)
            if directive.arguments:
                arguments = ", ".join(
                    f"{key}: {print_ast(value)}" for key, value in directive.arguments.items()
                )
                printed.append(f"@{name}({arguments})")
            else:
                printed.append(f"@{name}")
        return printed

    def split(self, directives: list[AppliedDirective]) -> tuple[list[str], list[str]]:
        """(@inaccessible, everything else): Apollo prints @inaccessible before the join directives."""
        hidden = [d for d in directives if d.name == "inaccessible"]
        return self.applied(hidden), self.applied([d for d in directives if d.name != "inaccessible"])

    def join_field(self, join: JoinField) -> str:
        if join.graph is None:
            return "@join__field"
        parts = [f"graph: {self.graph(join.graph)}"]
        if join.requires is not None:
            parts.append(f"requires: {_string(join.requires)}")
        if join.provides is not None:
            parts.append(f"provides: {_string(join.provides)}")
        # Argument order as Apollo's composition applies them.
        if join.override is not None:
            parts.append(f"override: {_string(join.override)}")
        if join.type is not None:
            parts.append(f"type: {_string(join.type)}")
        if join.external:
            parts.append("external: true")
        if join.used_overridden:
            parts.append("usedOverridden: true")
        return f"@join__field({', '.join(parts)})"

    def join_types(self, super_type: SuperType, hidden: list[str]) -> list[str]:
        """Type-level directives in Apollo's order: join__implements, join__type, @inaccessible,
        join__unionMember (the caller appends the other carried directives)."""
        printed: list[str] = []
        if super_type.kind in ("object", "interface"):
            for graph, sub_type in super_type.per_graph.items():
                printed.extend(
                    f"@join__implements(graph: {self.graph(graph)}, interface: {_string(i)})"
                    for i in sub_type.interfaces
                )
        for graph, sub_type in super_type.per_graph.items():
            printed.extend(self._join_type(graph, sub_type))
        printed.extend(hidden)
        if super_type.kind == "union":
            # Member by member (in union order), then graph by graph, as Apollo prints them.
            for member in super_type.members:
                printed.extend(
                    f"@join__unionMember(graph: {self.graph(graph)}, member: {_string(member)})"
                    for graph, sub_type in super_type.per_graph.items()
                    if member in sub_type.members
                )
        return printed

    def _join_type(self, graph: str, sub_type: SubType) -> list[str]:
        flags = []
        if sub_type.extension and sub_type.keys:
            flags.append("extension: true")  # Apollo records extensions of entities only
        if sub_type.interface_object:
            flags.append("isInterfaceObject: true")
        if not sub_type.keys or sub_type.kind not in ("object", "interface"):
            return [f"@join__type({', '.join([f'graph: {self.graph(graph)}', *flags])})"]
        printed = []
        for fields, resolvable in sub_type.keys:
            parts = [f"graph: {self.graph(graph)}", f"key: {_string(fields)}", *flags]
            if not resolvable:
                parts.append("resolvable: false")
            printed.append(f"@join__type({', '.join(parts)})")
        return printed

    def input_value(
        self, name: str, type_text: str, default: ValueNode | None, directives: list[AppliedDirective]
    ) -> str:
        text = f"{name}: {type_text}"
        if default is not None:
            text += f" = {print_ast(default)}"
        return " ".join([text, *self.applied(directives)])

    def arguments(self, arguments: dict[str, SuperArgument]) -> str:
        if not arguments:
            return ""
        rendered = [
            self.input_value(a.name, type_string(a.type), a.default, a.directives) for a in arguments.values()
        ]
        if not any(a.description for a in arguments.values()):
            return f"({', '.join(rendered)})"
        lines = ["("]
        for index, (argument, text) in enumerate(zip(arguments.values(), rendered, strict=True)):
            lines.extend(_description(argument.description, "    ", first=index == 0))
            lines.append(f"    {text}")
        lines.append("  )")
        return "\n".join(lines)

    def field(self, field: SuperField, is_input: bool, first: bool) -> list[str]:
        lines = _description(field.description, "  ", first)
        if is_input:
            hidden, others = self.split(field.directives)
            head = self.input_value(field.name, type_string(field.type), field.default, [])
            joins = [self.join_field(join) for join in field.joins or ()]
            lines.append("  " + " ".join([head, *hidden, *joins, *others]))
            return lines
        parts = [f"{field.name}{self.arguments(field.arguments)}: {type_string(field.type)}"]
        joins = [self.join_field(join) for join in field.joins or ()]
        if field.joins and field.joins[0].graph is None:
            # A field an @interfaceObject lends to an implementation: Apollo copies the
            # interface field's directives, then adds the bare @join__field.
            parts.extend([*self.applied(field.directives), *joins])
        else:
            hidden, others = self.split(field.directives)
            parts.extend([*hidden, *joins, *others])
        lines.append("  " + " ".join(parts))
        return lines

    def type(self, super_type: SuperType) -> str:
        keyword = {"object": "type", "input": "input"}.get(super_type.kind, super_type.kind)
        header = f"{keyword} {super_type.name}"
        if super_type.interfaces and super_type.kind in ("object", "interface"):
            header += " implements " + " & ".join(super_type.interfaces)
        hidden, others = self.split(super_type.directives)
        directives = [*self.join_types(super_type, hidden), *others]
        lines = _description(super_type.description, "")
        lines.append(header)
        lines.extend(f"  {d}" for d in directives)
        if super_type.kind == "union":
            lines.append(" = " + " | ".join(super_type.members))
        elif super_type.kind == "enum":
            lines.append("{")
            for index, value in enumerate(super_type.values.values()):
                lines.extend(_description(value.description, "  ", first=index == 0))
                joins = [f"@join__enumValue(graph: {self.graph(g)})" for g in value.graphs]
                hidden, others = self.split(value.directives)
                lines.append("  " + " ".join([value.name, *hidden, *joins, *others]))
            lines.append("}")
        elif super_type.kind != "scalar":
            lines.append("{")
            for index, field in enumerate(super_type.fields.values()):
                lines.extend(self.field(field, super_type.kind == "input", first=index == 0))
            lines.append("}")
        return "\n".join(lines)

    def _link(self, feature: _Feature) -> str:
        parts = [f"url: {_string(feature.url)}"]
        if feature.purpose:
            parts.append(f"for: {feature.purpose}")
        # The spec's root directive (`@tag` of tag/v0.3) needs no import; the others do, and a
        # renamed one is imported under its subgraph name (link v1.0 §Imports).
        root = feature.url.rstrip("/").split("/")[-2]
        imports = []
        for canonical in feature.directives:
            if canonical not in self.used:
                continue
            printed = self.names.get(canonical, canonical)
            if printed != canonical:
                imports.append(f'{{name: "@{canonical}", as: "@{printed}"}}')
            elif canonical != root:
                imports.append(f'"@{canonical}"')
        if imports:
            parts.append(f"import: [{', '.join(imports)}]")
        return f"@link({', '.join(parts)})"

    def _features_in_link_order(self) -> list[_Feature]:
        """Features in use, in Apollo's @link order: subgraph by subgraph (in name order), each
        subgraph's features in spec order."""
        ordered: list[_Feature] = []
        for subgraph in self.supergraph.subgraphs.values():
            uses = _directives_used(subgraph)
            for feature in _FEATURES:
                if feature not in ordered and any(d in uses and d in self.used for d in feature.directives):
                    ordered.append(feature)
        return ordered

    def print(self) -> str:
        types = {name: self.type(super_type) for name, super_type in self.supergraph.types.items()}
        directives = dict(_CORE_DIRECTIVES)
        types.update(_CORE_TYPES)
        graphs = "\n".join(
            f"  {g.enum_value} @join__graph(name: {_string(g.name)}, url: {_string(g.url)})"
            for g in self.supergraph.graphs
        )
        types["join__Graph"] = f"enum join__Graph {{\n{graphs}\n}}"
        links = [f'@link(url: "{LINK_URL}")', f'@link(url: "{JOIN_URL}", for: EXECUTION)']
        for feature in self._features_in_link_order():
            used = [name for name in feature.directives if name in self.used]
            links.append(self._link(feature))
            for name in used:
                printed = self.names.get(name, name)
                directives[printed] = feature.directives[name].format(name=printed)
            types.update(feature.types)
        for name, (url, node) in self.supergraph.composed_directives.items():
            if name in self.used:
                links.append(f'@link(url: {_string(url)}, import: ["@{name}"])')
                directives[name] = print_ast(node)
        roots = "\n".join(f"  {operation}: {root}" for operation, root in self.supergraph.roots.items())
        schema = "schema\n" + "\n".join(f"  {link}" for link in links) + "\n{\n" + roots + "\n}"
        blocks = [schema]
        blocks.extend(directives[name] for name in sorted(directives))
        blocks.extend(types[name] for name in sorted(types, key=_sort_key))
        return "\n\n".join(blocks)


def _directives_used(subgraph: SubgraphSchema) -> set[str]:
    """Canonical names of the carried directives one subgraph applies anywhere."""
    used: set[str] = set()
    for sub_type in subgraph.types.values():
        used.update(d.name for d in sub_type.directives)
        for field in sub_type.fields.values():
            used.update(d.name for d in field.directives)
            for argument in field.arguments.values():
                used.update(d.name for d in argument.directives)
        for value in sub_type.values.values():
            used.update(d.name for d in value.directives)
    return used


def print_supergraph(supergraph: Supergraph) -> str:
    """The supergraph SDL, laid out as Apollo's composition prints it (no trailing newline)."""
    return _Printer(supergraph).print()
