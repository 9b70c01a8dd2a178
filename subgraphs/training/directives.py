"""Federation authorization directives of the training subgraph (issue 4, Authorization).

They let the router refuse a private field before any fetch (anonymous → UNAUTHENTICATED,
missing scope → FORBIDDEN, with the field's path). The resolvers still apply their own rules
(owner / admin, `require_scope`): the subgraph verifies the token itself and never relies on
the router having filtered. Scope names come from auth.roles, the one roles → scopes mapping.
"""

from __future__ import annotations

from strawberry.federation.schema_directives import Authenticated, RequiresScopes

from auth.roles import BI_READ, TRAINING_INGEST, WORKOUTS_READ, WORKOUTS_WRITE

__all__ = ["INGEST", "OWN_DATA_READ", "WORKOUTS_WRITER"]

# A user's workout list, samples, records, goals, plan, privacy zones and import jobs.
# `bi:read` is an alternative because a BI token exports its own workouts (schema/exports/).
OWN_DATA_READ = [Authenticated(), RequiresScopes(scopes=[[WORKOUTS_READ], [BI_READ]])]
# Every mutation a signed-in user makes on their own training data (sync included).
WORKOUTS_WRITER = [Authenticated(), RequiresScopes(scopes=[[WORKOUTS_WRITE]])]
# Device ingestion: a service capability no human role holds (see auth.roles).
INGEST = [Authenticated(), RequiresScopes(scopes=[[TRAINING_INGEST]])]
