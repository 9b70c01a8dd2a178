"""Hand-written supergraph SDL pieces (join v0.3 format), shared by the supergraph, planner,
capability, HTTP and security tests: the `schema` header with its @link list, the join/link
definitions every such supergraph carries, and `enum join__Graph`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "INACCESSIBLE_DEFINITION",
    "INACCESSIBLE_LINK",
    "TAG_DEFINITION",
    "TAG_LINK",
    "join_graph_enum",
    "supergraph",
    "supergraph_header",
]

INACCESSIBLE_LINK = '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)'
INACCESSIBLE_DEFINITION = """directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION
  | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"""
TAG_LINK = '@link(url: "https://specs.apollo.dev/tag/v0.3")'
TAG_DEFINITION = """directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"""

_JOIN_AND_LINK_DEFINITIONS = """
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
"""
_JOIN_AND_LINK_TYPES = """
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"""


def supergraph_header(
    *,
    links: Iterable[str] = (),
    definitions: Iterable[str] = (),
    types: Iterable[str] = (),
    mutation: bool = False,
) -> str:
    """`schema` with the link v1.0 and join v0.3 links followed by `links`, the join/link
    directive definitions followed by `definitions`, then the join/link scalars and `types`."""
    link_lines = "".join(f"  {link}\n" for link in links)
    operations = "  query: Query\n" + ("  mutation: Mutation\n" if mutation else "")
    return (
        "\nschema\n"
        '  @link(url: "https://specs.apollo.dev/link/v1.0")\n'
        '  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
        f"{link_lines}{{\n{operations}}}\n"
        + _JOIN_AND_LINK_DEFINITIONS
        + "".join(f"{definition}\n" for definition in definitions)
        + _JOIN_AND_LINK_TYPES
        + "".join(f"{type_}\n" for type_ in types)
    )


def join_graph_enum(urls: Mapping[str, str], *, values: Mapping[str, str] | None = None) -> str:
    """`enum join__Graph` with one value per subgraph name -> URL, named after the subgraph in
    upper case unless `values` (subgraph name -> enum value) says otherwise."""
    lines = "\n".join(
        f'  {(values or {}).get(name, name.upper())} @join__graph(name: "{name}", url: "{url}")'
        for name, url in urls.items()
    )
    return f"enum join__Graph {{\n{lines}\n}}\n"


def supergraph(graphs: dict[str, str], body: str, *, mutation: bool = False) -> str:
    """A full supergraph: the header (with inaccessible and tag), `enum join__Graph` from
    {ENUM: name}, then body."""
    header = supergraph_header(
        links=(INACCESSIBLE_LINK, TAG_LINK),
        definitions=(INACCESSIBLE_DEFINITION, TAG_DEFINITION),
        mutation=mutation,
    )
    graph_enum = join_graph_enum(
        {name: f"http://127.0.0.1:1/{name}" for name in graphs.values()},
        values={name: value for value, name in graphs.items()},
    )
    return f"{header}\n{graph_enum}{body}"
