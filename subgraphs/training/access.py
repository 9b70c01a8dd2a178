"""Who may see and change a workout (issue 7, Privacy)."""

from __future__ import annotations

from auth.claims import Claims
from subgraphs.training.models import Visibility, Workout

__all__ = ["can_edit", "can_view", "sees_everything_of"]


def sees_everything_of(claims: Claims | None, owner_id: str) -> bool:
    """The owner and admins see PRIVATE and FOLLOWERS workouts.

    FOLLOWERS is checked against the social graph once social exists; until then it means
    owner only.
    """
    return claims is not None and (claims.subject == owner_id or claims.is_admin)


def can_view(claims: Claims | None, workout: Workout) -> bool:
    if workout.deleted:
        return False
    return workout.visibility == Visibility.PUBLIC or sees_everything_of(claims, workout.owner_id)


def can_edit(claims: Claims | None, workout: Workout) -> bool:
    return claims is not None and claims.subject == workout.owner_id
