"""Seeded random subgraph sets for differential tests against Apollo's composition."""

from __future__ import annotations

import random

from schema.compose import SubgraphInput

__all__ = ["random_input_sets", "random_interface_sets", "random_subgraph_sets"]

_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", '
    '"@external", "@requires", "@provides", "@override", "@inaccessible", "@tag", "@interfaceObject"])\n'
)


def _subgraph(
    rng: random.Random, name: str, types: list[str], field_types: dict[tuple[str, str], str]
) -> str:
    defined = [t for t in types if rng.random() < 0.75] or types[:1]
    lines = []
    for type_name in defined:
        keyed = rng.random() < 0.7
        fields = ["id: ID!"] if keyed else []
        for index in range(rng.randint(1, 3)):
            field = f"f{index}"
            base = field_types.setdefault(
                (type_name, field), rng.choice(["Int", "String", "[Int]", "E0", "T"])
            )
            if base == "T":
                base = rng.choice(defined)
            type_text = base + ("!" if rng.random() < 0.2 else "")
            marks = ["@shareable"] if rng.random() < 0.85 else []
            if rng.random() < 0.1:
                marks.append("@inaccessible")
            if rng.random() < 0.1:
                marks.append('@tag(name: "t")')
            if rng.random() < 0.03:
                marks = ["@external"]
            if rng.random() < 0.05:
                marks.append(f'@override(from: "{rng.choice(["g0", "g1", "g2", "gone"])}")')
            arguments = "(a: Int)" if rng.random() < 0.15 else ""
            fields.append(f"{field}{arguments}: {type_text} {' '.join(marks)}".rstrip())
        directive = '@key(fields: "id")' if keyed else ("@shareable" if rng.random() < 0.5 else "")
        lines.append(f"type {type_name} {directive} {{ {' '.join(fields)} }}".replace("  ", " "))
    values = " ".join(rng.sample(["A", "B", "C"], rng.randint(1, 3)))
    lines.append(f"enum E0 {{ {values} }}")
    roots = [f"q{name}_{i}: {rng.choice(defined)}" for i in range(rng.randint(1, 2))]
    lines.append(f"type Query {{ {' '.join(roots)} }}")
    return _HEADER + "\n".join(lines) + "\n"


def random_subgraph_sets(seed: int, count: int) -> dict[str, list[SubgraphInput]]:
    """`count` subgraph sets (2–3 subgraphs of 2–4 types each); many are deliberately broken."""
    rng = random.Random(seed)
    sets: dict[str, list[SubgraphInput]] = {}
    for index in range(count):
        graphs = [f"g{i}" for i in range(rng.randint(2, 3))]
        types = [f"T{i}" for i in range(rng.randint(2, 4))]
        field_types: dict[tuple[str, str], str] = {}
        sets[f"random-{seed}-{index}"] = [
            SubgraphInput(g, f"http://{g}/graphql", _subgraph(rng, g, types, field_types)) for g in graphs
        ]
    return sets


def _interface_subgraph(rng: random.Random, name: str, field_types: dict[tuple[str, str], str]) -> str:
    """Entities A/B/C, maybe an entity interface Node (or its @interfaceObject), maybe a union."""
    lines = []
    objects = [t for t in ("A", "B", "C") if rng.random() < 0.8] or ["A"]
    interface = rng.random() < 0.6
    interface_object = interface and name != "g0" and rng.random() < 0.3
    if interface_object:
        lines.append(f'type Node @key(fields: "id") @interfaceObject {{ id: ID! extra{name}: Int }}')
    elif interface:
        lines.append('interface Node @key(fields: "id") { id: ID! label: String }')
    for type_name in objects:
        implements = interface and not interface_object and rng.random() < 0.7
        fields = ["id: ID!"] + (["label: String @shareable"] if implements else [])
        for field in ("x", "y"):
            if rng.random() < 0.6:
                base = field_types.setdefault((type_name, field), rng.choice(["Int", "String", "[Int]"]))
                fields.append(f"{field}: {base} @shareable")
        if rng.random() < 0.2 and not any(f.startswith("x:") for f in fields):
            fields += ["x: Int @external", 'z: Int @requires(fields: "x")']
        clause = " implements Node" if implements else ""
        lines.append(f'type {type_name}{clause} @key(fields: "id") {{ {" ".join(fields)} }}')
    union = rng.random() < 0.5
    if union:
        lines.append("union U = " + " | ".join(objects))
    targets = objects + (["Node"] if interface else []) + (["U"] if union else [])
    roots = " ".join(f"q{name}{i}: {rng.choice(targets)}" for i in range(rng.randint(1, 2)))
    lines.append(f"type Query {{ {roots} }}")
    return _HEADER + "\n".join(lines) + "\n"


def random_interface_sets(seed: int, count: int) -> dict[str, list[SubgraphInput]]:
    """`count` sets exercising entity interfaces, @interfaceObject, unions and @requires."""
    rng = random.Random(seed)
    sets: dict[str, list[SubgraphInput]] = {}
    for index in range(count):
        field_types: dict[tuple[str, str], str] = {}
        graphs = ["g0", "g1", "g2"][: rng.randint(2, 3)]
        sets[f"interfaces-{seed}-{index}"] = [
            SubgraphInput(g, f"http://{g}/graphql", _interface_subgraph(rng, g, field_types)) for g in graphs
        ]
    return sets


def _input_subgraph(rng: random.Random, name: str) -> str:
    """Enums and input objects in input and output positions, defaults, @inaccessible values."""
    values = ["A", "B", "C"] if rng.random() < 0.7 else rng.sample(["A", "B", "C", "D"], rng.randint(1, 4))
    hidden = {v: " @inaccessible" if rng.random() < 0.1 else "" for v in values}
    lines = [f'"""Enum {rng.choice("xy")}"""'] if rng.random() < 0.5 else []
    lines.append("enum E { " + " ".join(v + hidden[v] for v in values) + " }")
    fields = []
    for field, base in (("a", "String"), ("b", "E"), ("c", "Int")):
        if rng.random() < 0.7:
            type_text = base + ("!" if rng.random() < 0.2 else "")
            default = ""
            if base == "Int" and rng.random() < 0.5:
                default = " = 1"
            elif base == "E" and "A" in values and rng.random() < 0.3:
                default = " = A"
            fields.append(f"{field}: {type_text}{default}")
    if fields:
        lines.append(f"input In {{ {' '.join(fields)} }}")
    arguments = []
    if fields and rng.random() < 0.8:
        arguments.append("in: In")
    if rng.random() < 0.5:
        arguments.append("e: " + rng.choice(["E", "E!", "[E]"]))
    if rng.random() < 0.4:
        arguments.append("n: Int" + rng.choice(["", "!", " = 5"]))
    signature = f"({', '.join(arguments)})" if arguments else ""
    output = rng.choice(["E", "[E]", "String", "E!"])
    lines.append(f"type Query {{ shared{signature}: {output} @shareable own{name}: E }}")
    return _HEADER + "\n".join(lines) + "\n"


def random_input_sets(seed: int, count: int) -> dict[str, list[SubgraphInput]]:
    """`count` sets exercising enum/input merge rules, argument presence and default values."""
    rng = random.Random(seed)
    return {
        f"inputs-{seed}-{index}": [
            SubgraphInput(g, f"http://{g}/graphql", _input_subgraph(rng, g))
            for g in ["g0", "g1", "g2"][: rng.randint(2, 3)]
        ]
        for index in range(count)
    }
