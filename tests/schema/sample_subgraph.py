"""A tiny Strawberry federation subgraph used as a `module:` and `subgraph_url:` source in tests."""

from __future__ import annotations

import strawberry

__all__ = ["broken_factory", "create_schema", "schema"]


@strawberry.federation.type(keys=["id"])
class Coach:
    id: strawberry.ID
    name: str = strawberry.federation.field(shareable=True)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Coach:
        return cls(id=id, name=f"coach {id}")


@strawberry.type
class Query:
    @strawberry.field
    def coach(self, id: strawberry.ID) -> Coach | None:
        return Coach(id=id, name=f"coach {id}")


def create_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=Query)


schema = create_schema()


def broken_factory() -> strawberry.federation.Schema:
    """A factory failing the way a subgraph under construction can."""
    raise RuntimeError("schema under construction")
