"""Named composition errors and hints, in the spirit of Apollo's composition error codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["CompositionError", "CompositionFailed", "CompositionHint", "graph_list"]


def graph_list(graphs: Iterable[str]) -> str:
    """Subgraph names as messages list them: `"a", "b"`."""
    return ", ".join(f'"{g}"' for g in graphs)


@dataclass(frozen=True)
class _Finding:
    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass(frozen=True)
class CompositionError(_Finding):
    """One reason a set of subgraphs does not compose.

    `code` follows Apollo's names (FIELD_TYPE_MISMATCH, INVALID_FIELD_SHARING, …); `subgraphs`
    and `coordinates` (``Type`` or ``Type.field``) say where to look.
    """


@dataclass(frozen=True)
class CompositionHint(_Finding):
    """Something composition accepted but a reviewer should know (Apollo's "hints")."""


@dataclass
class CompositionFailed(Exception):
    """Raised by callers that want an exception instead of inspecting `CompositionResult`."""

    errors: list[CompositionError] = field(default_factory=list)

    def __str__(self) -> str:
        return "composition failed:\n" + "\n".join(f"  {error}" for error in self.errors)
