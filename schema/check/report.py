"""A schema check: classified changes, the operations each breaking change breaks, and output
as a table or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import build_schema

from schema.api_schema import api_schema_sdl
from schema.check.diff import Change, diff_schemas
from schema.check.usage import Operation, affected_operations, operation_usage

__all__ = ["CheckReport", "CheckedChange", "check_supergraphs"]


@dataclass(frozen=True)
class CheckedChange:
    change: Change
    # Operations the change breaks; None when no operations are known.
    operations: list[str] | None

    @property
    def blocking(self) -> bool:
        """Breaking, and either used by a known operation or with no operations to tell."""
        return self.change.severity == "breaking" and (self.operations is None or bool(self.operations))


@dataclass(frozen=True)
class CheckReport:
    changes: list[CheckedChange]
    operations_checked: int | None

    def count(self, severity: str) -> int:
        return sum(1 for c in self.changes if c.change.severity == severity)

    @property
    def blocking(self) -> list[CheckedChange]:
        return [c for c in self.changes if c.blocking]

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {
                "breaking": self.count("breaking"),
                "dangerous": self.count("dangerous"),
                "safe": self.count("safe"),
                "blocking": len(self.blocking),
                "operationsChecked": self.operations_checked,
            },
            "changes": [
                {**c.change.to_json(), "operations": c.operations, "blocking": c.blocking}
                for c in self.changes
            ],
        }

    def to_table(self) -> str:
        if not self.changes:
            return "No changes to the API schema."
        rows = [("SEVERITY", "CHANGE", "COORDINATE", "OPERATIONS", "DETAIL")]
        for checked in self.changes:
            change = checked.change
            if checked.operations is None or change.severity != "breaking":
                operations = "-"
            else:
                operations = ", ".join(checked.operations) or "none (not blocking)"
            rows.append((change.severity, change.code, change.coordinate, operations, change.message))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in rows
        ]
        summary = (
            f"{self.count('breaking')} breaking ({len(self.blocking)} blocking), "
            f"{self.count('dangerous')} dangerous, {self.count('safe')} safe"
        )
        if self.operations_checked is not None:
            summary += f"; checked against {self.operations_checked} known operation(s)"
        return "\n".join([*(line.rstrip() for line in lines), "", summary])


def check_supergraphs(base_sdl: str, new_sdl: str, operations: list[Operation] | None = None) -> CheckReport:
    """Compare the API schemas of two supergraphs (or plain schemas); with `operations`, each
    breaking change names the operations it breaks and only those block."""
    old_schema = build_schema(api_schema_sdl(base_sdl))
    new_schema = build_schema(api_schema_sdl(new_sdl))
    changes = diff_schemas(old_schema, new_schema)
    usages = operation_usage(old_schema, operations) if operations is not None else None
    checked = [
        CheckedChange(change, affected_operations(change, usages) if usages is not None else None)
        for change in changes
    ]
    return CheckReport(checked, len(operations) if operations is not None else None)
