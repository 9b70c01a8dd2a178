"""The training SDL carries @authenticated / @requiresScopes on its private and ingest fields
(issue 4, Authorization), with scopes from auth.roles, while the subgraph keeps enforcing its
own rules for callers that reach it directly (no router in front)."""

from __future__ import annotations

from typing import Any

from graphql import (
    ConstDirectiveNode,
    FieldDefinitionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    ValueNode,
    parse,
)

from auth.roles import KNOWN_SCOPES, ROLE_SCOPES
from subgraphs.training.schema import create_schema
from tests.subgraphs.training.harness import Harness, new_user

READ = (("workouts:read",), ("bi:read",))
WRITE = (("workouts:write",),)
INGEST = (("training:ingest",),)

# Every field that must be guarded, with the scope sets ([[a, b], [c]]: a AND b, OR c).
GUARDED: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("Query", "importJob"): READ,
    ("User", "workouts"): READ,
    ("User", "personalRecords"): READ,
    ("User", "activePlan"): READ,
    ("User", "goals"): READ,
    ("User", "privacyZones"): READ,
    ("Workout", "samples"): READ,
    ("Mutation", "ingestWorkout"): INGEST,
}
# A PUBLIC workout is meant to be shared with anyone: the subgraph answers null otherwise.
OPEN = {("Query", "workout"), ("Query", "_service"), ("Query", "_entities"), ("Workout", "route")}


def _scope_sets(value: ValueNode) -> tuple[tuple[str, ...], ...]:
    assert isinstance(value, ListValueNode)
    sets: list[tuple[str, ...]] = []
    for inner in value.values:
        assert isinstance(inner, ListValueNode)
        sets.append(tuple(item.value for item in inner.values if isinstance(item, StringValueNode)))
    return tuple(sets)


def _fields() -> dict[tuple[str, str], tuple[ConstDirectiveNode, ...]]:
    document = parse(create_schema().as_str())
    fields: dict[tuple[str, str], tuple[ConstDirectiveNode, ...]] = {}
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            for field in definition.fields or ():
                assert isinstance(field, FieldDefinitionNode)
                fields[(definition.name.value, field.name.value)] = tuple(field.directives or ())
    return fields


def _guard(directives: tuple[ConstDirectiveNode, ...]) -> tuple[bool, tuple[tuple[str, ...], ...] | None]:
    authenticated = any(d.name.value == "authenticated" for d in directives)
    scopes = None
    for directive in directives:
        if directive.name.value == "requiresScopes":
            for argument in directive.arguments or ():
                scopes = _scope_sets(argument.value)
    return authenticated, scopes


def test_private_and_ingest_fields_carry_the_directives() -> None:
    fields = _fields()
    expected = dict(GUARDED)
    for type_name, field_name in fields:
        if type_name == "Mutation" and field_name != "ingestWorkout":
            expected[(type_name, field_name)] = WRITE
    assert len([key for key in expected if key[0] == "Mutation"]) >= 11
    for key, scopes in expected.items():
        assert key in fields, key
        assert _guard(fields[key]) == (True, scopes), key
    for key in OPEN:
        assert _guard(fields[key]) == (False, None), key


def test_the_sdl_links_the_federation_authorization_directives() -> None:
    sdl = create_schema().as_str()
    link = next(line for line in sdl.splitlines() if "@link(" in line)
    assert '"@authenticated"' in link and '"@requiresScopes"' in link


def test_every_scope_named_exists_and_the_right_roles_hold_it() -> None:
    named: set[str] = set()
    for directives in _fields().values():
        _auth, sets = _guard(directives)
        for scope_set in sets or ():
            named.update(scope_set)
    assert named == {"workouts:read", "workouts:write", "bi:read", "training:ingest"}
    assert named <= KNOWN_SCOPES
    # Users read and write their data, admins read it, BI reads (its own exports), nobody
    # human ingests device data.
    assert {"workouts:read", "workouts:write"} <= ROLE_SCOPES["user"]
    assert "workouts:read" in ROLE_SCOPES["admin"] and "bi:read" in ROLE_SCOPES["bi"]
    assert all("training:ingest" not in scopes for scopes in ROLE_SCOPES.values())


async def _ingest(training: Harness, **auth: Any) -> dict[str, Any]:
    owner = new_user()
    return await training.gql(
        """mutation($input: IngestWorkoutInput!) { ingestWorkout(input: $input) { created } }""",
        {
            "input": {
                "ownerId": owner,
                "source": "GARMIN",
                "externalId": f"directive-{owner}",
                "workout": {"sport": "RUN", "startTime": "2026-05-01T07:00:00+00:00", "durationS": 1800},
            }
        },
        **auth,
    )


async def test_the_subgraph_still_enforces_its_own_rules_without_a_router(training: Harness) -> None:
    # Called directly (the directives are only metadata here), the resolvers still refuse.
    anonymous = await training.gql("mutation { stopPlan }")
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    as_user = await _ingest(training, user=new_user())
    assert as_user["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    as_service = await _ingest(training, user="devices-service", roles=(), scopes=("training:ingest",))
    assert "errors" not in as_service and as_service["data"]["ingestWorkout"]["created"] is True
