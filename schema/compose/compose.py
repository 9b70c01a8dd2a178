"""Entry point: subgraph SDLs in, supergraph SDL (or named errors) out."""

from __future__ import annotations

from dataclasses import dataclass, field

from schema.compose.errors import CompositionError, CompositionFailed, CompositionHint
from schema.compose.inaccessible import check_inaccessible
from schema.compose.merge import merge_subgraphs
from schema.compose.printer import print_supergraph
from schema.compose.satisfiability import check_satisfiability
from schema.compose.subgraph import parse_subgraph
from schema.compose.validate_subgraph import validate_subgraph
from schema.compose.validate_supergraph import validate_supergraph_sdl

__all__ = ["CompositionResult", "SubgraphInput", "compose"]


@dataclass(frozen=True)
class SubgraphInput:
    name: str
    url: str
    sdl: str


@dataclass
class CompositionResult:
    supergraph_sdl: str | None
    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionHint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None and not self.errors

    def unwrap(self) -> str:
        if self.supergraph_sdl is None or self.errors:
            raise CompositionFailed(list(self.errors))
        return self.supergraph_sdl


def compose(subgraphs: list[SubgraphInput]) -> CompositionResult:
    """Compose Federation 2 (or Federation 1) subgraphs into a join v0.3 supergraph."""
    errors: list[CompositionError] = []
    names = [s.name for s in subgraphs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        return CompositionResult(
            None,
            [
                CompositionError(
                    "INVALID_SUBGRAPH_NAME", f"duplicate subgraph names {duplicates}", tuple(duplicates)
                )
            ],
        )
    if not subgraphs:
        return CompositionResult(None, [CompositionError("NO_SUBGRAPHS", "no subgraphs to compose")])
    parsed = []
    for subgraph in subgraphs:
        schema, parse_errors = parse_subgraph(subgraph.name, subgraph.url, subgraph.sdl)
        errors.extend(parse_errors)
        if schema is not None:
            errors.extend(validate_subgraph(schema))
            parsed.append(schema)
    if errors:
        return CompositionResult(None, errors)
    # Apollo merges subgraphs in name order: the supergraph does not depend on config order.
    parsed.sort(key=lambda schema: schema.name)
    supergraph, merge_errors, hints = merge_subgraphs(parsed)
    if merge_errors:
        return CompositionResult(None, merge_errors, hints)
    errors.extend(check_inaccessible(supergraph))
    errors.extend(check_satisfiability(supergraph))
    if errors:
        return CompositionResult(None, errors, hints)
    sdl = print_supergraph(supergraph)
    invalid = validate_supergraph_sdl(supergraph, sdl)
    if invalid:
        return CompositionResult(None, invalid, hints)
    return CompositionResult(sdl, [], hints)
