"""Composing several stages into one, to fill a single StageSlots position."""

from __future__ import annotations

from router.pipeline import NextStage, Operation, Stage
from router.types import GraphQLResponse

__all__ = ["chain_stages"]


def chain_stages(*stages: Stage) -> Stage:
    """One stage that runs `stages` in order (each may answer or call the next)."""

    async def run(operation: Operation, call_next: NextStage) -> GraphQLResponse:
        async def step(index: int, current: Operation) -> GraphQLResponse:
            if index == len(stages):
                return await call_next(current)
            return await stages[index](current, lambda following: step(index + 1, following))

        return await step(0, operation)

    return run
