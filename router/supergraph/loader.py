"""`load_supergraph(sdl)`: read the join spec (v0.2–v0.5) out of a supergraph SDL.

Join spec: https://specs.apollo.dev/join/v0.3 — `@join__graph`, `@join__type`, `@join__field`,
`@join__implements`, `@join__unionMember`, `@join__enumValue`.
"""

from __future__ import annotations

from graphql import (
    BooleanValueNode,
    ConstValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    GraphQLSyntaxError,
    ListTypeNode,
    ListValueNode,
    NonNullTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeNode,
    parse,
    print_ast,
)

from router.supergraph.api_schema import build_api_schema
from router.supergraph.errors import SupergraphError
from router.supergraph.fieldsets import parse_field_set
from router.supergraph.links import SpecNames, read_links
from router.supergraph.model import (
    AuthRequirement,
    FieldInfo,
    FieldInGraph,
    KeyInfo,
    SubgraphInfo,
    Supergraph,
    TypeInfo,
    TypeInGraph,
)
from router.supergraph.typekinds import TYPE_KINDS

__all__ = ["load_supergraph"]

_BUILTIN_SCALARS = ("String", "Int", "Float", "Boolean", "ID")


def _args(directive: DirectiveNode) -> dict[str, ConstValueNode]:
    return {a.name.value: a.value for a in directive.arguments or ()}  # type: ignore[misc]


def _str(value: ConstValueNode | None) -> str | None:
    if isinstance(value, StringValueNode | EnumValueNode):
        return value.value
    return None


def _bool(value: ConstValueNode | None, default: bool) -> bool:
    if isinstance(value, BooleanValueNode):
        return value.value
    return default


def _unwrap(node: TypeNode) -> tuple[str, int]:
    depth = 0
    while not hasattr(node, "name"):
        if isinstance(node, ListTypeNode):
            depth += 1
        assert isinstance(node, ListTypeNode | NonNullTypeNode)
        node = node.type
    return node.name.value, depth  # type: ignore[attr-defined]


class _Reader:
    def __init__(self, document: DocumentNode, links: SpecNames) -> None:
        self.document = document
        self.links = links
        join = links.specs["join"]
        self.d_graph = join.directive("graph")
        self.d_type = join.directive("type")
        self.d_field = join.directive("field")
        self.d_implements = join.directive("implements")
        self.d_member = join.directive("unionMember")
        self.d_enum_value = join.directive("enumValue")
        self.d_owner = join.directive("owner")  # join v0.1: fields without join__field belong here
        self.d_inaccessible = links.directive("inaccessible", "inaccessible")
        self.d_authenticated = links.directive("authenticated", "authenticated")
        self.d_scopes = links.directive("requiresScopes", "requiresScopes")
        self.d_policy = links.directive("policy", "policy")
        self.graph_enum = join.type_name("Graph")
        self.graph_names: dict[str, str] = {}  # enum value -> graph name
        self.graphs: dict[str, SubgraphInfo] = {}
        self.types: dict[str, TypeInfo] = {}
        self.auth: dict[str, AuthRequirement] = {}

    def graph(self, value: ConstValueNode | None) -> str | None:
        raw = _str(value)
        if raw is None:
            return None
        name = self.graph_names.get(raw)
        if name is None:
            raise SupergraphError(f"unknown join__Graph value {raw!r}")
        return name

    def read_graphs(self) -> None:
        for definition in self.document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == self.graph_enum:
                for value in definition.values or ():
                    for directive in value.directives or ():
                        if directive.name.value == self.d_graph:
                            args = _args(directive)
                            name = _str(args.get("name")) or value.name.value.lower()
                            url = _str(args.get("url")) or ""
                            self.graph_names[value.name.value] = name
                            self.graphs[name] = SubgraphInfo(name=name, url=url)
        if not self.graphs:
            raise SupergraphError("the supergraph declares no subgraph (join__Graph is empty)")

    def _auth(self, coordinate: str, directives: tuple[DirectiveNode, ...]) -> None:
        authenticated = False
        scopes: list[tuple[str, ...]] = []
        policies: list[tuple[str, ...]] = []
        for directive in directives:
            name = directive.name.value
            if name == self.d_authenticated:
                authenticated = True
            elif name in (self.d_scopes, self.d_policy):
                value = next(iter(_args(directive).values()), None)
                groups: list[tuple[str, ...]] = []
                if isinstance(value, ListValueNode):
                    for group in value.values:
                        items = group.values if isinstance(group, ListValueNode) else (group,)
                        groups.append(tuple(_str(item) or "" for item in items))  # type: ignore[arg-type]
                (scopes if name == self.d_scopes else policies).extend(groups)
        if authenticated or scopes or policies:
            self.auth[coordinate] = AuthRequirement(authenticated, tuple(scopes), tuple(policies))

    def _inaccessible(self, directives: tuple[DirectiveNode, ...]) -> bool:
        return self.d_inaccessible is not None and any(
            d.name.value == self.d_inaccessible for d in directives
        )

    def read_types(self) -> None:
        for name in _BUILTIN_SCALARS:
            self.types[name] = TypeInfo(name=name, kind="scalar")
        for definition in self.document.definitions:
            kind = TYPE_KINDS.get(type(definition))
            if kind is None:
                continue
            name = definition.name.value  # type: ignore[attr-defined]
            info = self.types.get(name)
            if info is None:
                info = self.types[name] = TypeInfo(name=name, kind=kind)
            self._read_type(info, definition)

    def _read_type(self, info: TypeInfo, definition: object) -> None:
        directives = tuple(getattr(definition, "directives", None) or ())
        if self._inaccessible(directives):
            info.inaccessible = True
        self._auth(info.name, directives)
        implements: dict[str, set[str]] = {}
        members: dict[str, set[str]] = {}
        owner: str | None = None
        for directive in directives:
            dname = directive.name.value
            args = _args(directive)
            if dname == self.d_owner:
                owner = self.graph(args.get("graph"))
            elif dname == self.d_type:
                graph = self.graph(args.get("graph"))
                if graph is None:
                    continue
                tig = info.graphs.get(graph)
                if tig is None:
                    tig = info.graphs[graph] = TypeInGraph(graph=graph)
                key = _str(args.get("key"))
                if key is not None:
                    tig.keys.append(
                        KeyInfo(key, parse_field_set(key), _bool(args.get("resolvable"), True))
                    )
                tig.extension = tig.extension or _bool(args.get("extension"), False)
                tig.is_interface_object = tig.is_interface_object or _bool(
                    args.get("isInterfaceObject"), False
                )
            elif dname == self.d_implements:
                graph = self.graph(args.get("graph"))
                interface = _str(args.get("interface"))
                if graph is not None and interface is not None:
                    implements.setdefault(graph, set()).add(interface)
            elif dname == self.d_member:
                graph = self.graph(args.get("graph"))
                member = _str(args.get("member"))
                if graph is not None and member is not None:
                    members.setdefault(graph, set()).add(member)
        for graph, names in implements.items():
            info.implements[graph] = frozenset(names)
        for graph, names in members.items():
            info.union_members[graph] = frozenset(names)
        interfaces = getattr(definition, "interfaces", None)
        if interfaces:
            info.interfaces = info.interfaces + tuple(i.name.value for i in interfaces)
        types = getattr(definition, "types", None)
        if types:
            info.members = info.members + tuple(t.name.value for t in types)
        for value in getattr(definition, "values", None) or ():
            if info.kind == "enum":
                graphs = {
                    self.graph(_args(d).get("graph"))
                    for d in value.directives or ()
                    if d.name.value == self.d_enum_value
                }
                info.enum_values[value.name.value] = frozenset(g for g in graphs if g)
        if info.kind in ("object", "interface"):
            for field_node in getattr(definition, "fields", None) or ():
                self._read_field(info, field_node, owner)

    def _read_field(self, info: TypeInfo, node: object, owner: str | None) -> None:
        name = node.name.value  # type: ignore[attr-defined]
        type_name, depth = _unwrap(node.type)  # type: ignore[attr-defined]
        finfo = FieldInfo(
            name=name, type_name=type_name, list_depth=depth, type_text=print_ast(node.type)  # type: ignore[attr-defined]
        )
        info.fields[name] = finfo
        directives = tuple(node.directives or ())  # type: ignore[attr-defined]
        self._auth(f"{info.name}.{name}", directives)
        has_join = False
        for directive in directives:
            if directive.name.value != self.d_field:
                continue
            has_join = True
            args = _args(directive)
            graph = self.graph(args.get("graph"))
            if graph is None:
                continue
            requires = _str(args.get("requires"))
            provides = _str(args.get("provides"))
            finfo.joins[graph] = FieldInGraph(
                graph=graph,
                external=_bool(args.get("external"), False),
                requires=parse_field_set(requires) if requires else None,
                requires_text=requires,
                provides=parse_field_set(provides) if provides else None,
                provides_text=provides,
                type=_str(args.get("type")),
                override=_str(args.get("override")),
                used_overridden=_bool(args.get("usedOverridden"), False),
            )
        if owner is not None:
            type_graphs = frozenset((owner,))
        else:
            type_graphs = frozenset(info.graphs) if info.graphs else frozenset(self.graphs)
        if has_join:
            finfo.known = frozenset(finfo.joins)
            finfo.serving = frozenset(
                g for g, j in finfo.joins.items() if not j.external and not j.used_overridden
            )
        else:
            finfo.known = finfo.serving = type_graphs

    def possible_types(self) -> dict[str, frozenset[str]]:
        result: dict[str, set[str]] = {}
        for info in self.types.values():
            if info.kind == "object":
                for interface in info.interfaces:
                    result.setdefault(interface, set()).add(info.name)
            elif info.kind == "union":
                result.setdefault(info.name, set()).update(info.members)
        # an interface implementing an interface: its objects belong to the outer one too
        for info in self.types.values():
            if info.kind == "interface":
                for outer in info.interfaces:
                    result.setdefault(outer, set())
        return {k: frozenset(v) for k, v in result.items()}

    def root_types(self) -> tuple[str, str | None, str | None]:
        roots: dict[str, str] = {}
        for definition in self.document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                for op in definition.operation_types or ():
                    roots[op.operation.value] = op.type.name.value
        query = roots.get("query", "Query")
        mutation = roots.get("mutation", "Mutation" if "Mutation" in self.types else None)
        subscription = roots.get(
            "subscription", "Subscription" if "Subscription" in self.types else None
        )
        return query, mutation, subscription


def load_supergraph(sdl: str) -> Supergraph:
    """Parse and check a supergraph SDL; raise SupergraphError when it cannot be served."""
    try:
        document = parse(sdl, no_location=True)
    except GraphQLSyntaxError as exc:
        raise SupergraphError(f"supergraph SDL syntax error: {exc.message}") from exc
    links = read_links(document)
    reader = _Reader(document, links)
    reader.read_graphs()
    reader.read_types()
    query, mutation, subscription = reader.root_types()
    if query not in reader.types:
        raise SupergraphError(f"the supergraph has no query root type {query!r}")
    api_schema = build_api_schema(document, links)
    return Supergraph(
        sdl=sdl,
        graphs=reader.graphs,
        types=reader.types,
        api_schema=api_schema,
        links=links,
        query_type=query,
        mutation_type=mutation,
        subscription_type=subscription,
        authorization=reader.auth,
        possible_types=reader.possible_types(),
        graph_order=tuple(reader.graphs),
    )
