"""Breaking-change checks between two supergraphs' API schemas, usage-aware with known operations."""

from __future__ import annotations

from schema.check.diff import Change, diff_schemas
from schema.check.report import CheckedChange, CheckReport, check_supergraphs
from schema.check.usage import Operation, load_operations

__all__ = [
    "Change",
    "CheckReport",
    "CheckedChange",
    "Operation",
    "check_supergraphs",
    "diff_schemas",
    "load_operations",
]
