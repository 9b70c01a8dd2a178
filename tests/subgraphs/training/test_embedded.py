"""Without a MongoDB URL the subgraph runs on an in-process SecantusDB (`make dev`)."""

from __future__ import annotations

import httpx

from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from subgraphs.training.app import create_app
from subgraphs.training.settings import Settings
from tests.subgraphs.training.harness import new_user
from tests.support.servers import running_server

CREATE = 'mutation { createWorkout(input: {sport: YOGA, startTime: "2024-01-01T08:00:00Z", durationS: 1800}) { id } }'
LIST = 'query($id: ID!) { _entities(representations: [{__typename: "User", id: $id}]) { ... on User { workouts { nodes { id sport } } } } }'


async def test_embedded_database_serves_requests() -> None:
    settings = Settings(mongodb_url=None, demo_data=False, redis_url=None)
    keyring = KeyRing.ephemeral()
    token = TokenIssuer(keyring, issuer=settings.jwt_issuer, audience=settings.jwt_audience).issue(
        user := new_user(), roles=["user"]
    )
    app = create_app(settings, keyring=keyring)
    async with running_server(app) as url, httpx.AsyncClient(timeout=30) as client:
        headers = {"authorization": f"Bearer {token}"}
        created = (await client.post(f"{url}/graphql", json={"query": CREATE}, headers=headers)).json()
        workout_id = created["data"]["createWorkout"]["id"]
        listed = (
            await client.post(f"{url}/graphql", json={"query": LIST, "variables": {"id": user}}, headers=headers)
        ).json()
        assert listed["data"]["_entities"][0]["workouts"]["nodes"] == [{"id": workout_id, "sport": "YOGA"}]
        # Events went to the in-memory bus (no Redis configured).
        events = app.state.services.bus.events("training")
        assert [event.type for event in events] == ["workout.created"]
    assert app.state.services.database.embedded_server is None
