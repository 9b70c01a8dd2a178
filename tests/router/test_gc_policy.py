"""The serving GC policy (router/gc_policy.py), applied in a child interpreter so this test
process keeps its own collector settings."""

from __future__ import annotations

import json
import subprocess
import sys

from router.gc_policy import SERVING_THRESHOLDS

_PROBE = """
import gc, json, weakref
from router.gc_policy import apply_serving_gc_policy

class Node:
    pass

startup = [Node() for _ in range(100)]
apply_serving_gc_policy()
frozen = gc.get_freeze_count()
# Cyclic garbage made while serving is still found by a collection.
cycle = Node()
cycle.self = cycle
alive = weakref.ref(cycle)
del cycle
gc.collect()
print(json.dumps({"threshold": gc.get_threshold(), "frozen": frozen, "cycle_collected": alive() is None}))
"""


def test_policy_freezes_startup_objects_raises_the_young_threshold_and_still_collects_cycles() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    report = json.loads(completed.stdout)
    assert report["threshold"] == list(SERVING_THRESHOLDS)
    assert report["frozen"] >= 100  # at least the start-up objects made above
    assert report["cycle_collected"] is True
