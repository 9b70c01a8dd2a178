"""The operation pipeline export pages run through: the router's own (DESIGN §2), built from the
same config and the same stage instances (rate-limit buckets, authorization rules, response
cache), with three differences, each because the export route already did that stage's job:

- no authentication slot: the export route verified the caller (bearer token or API key,
  router/exports/identity.py) and put the identity on the context before the first page;
- no trusted-documents slot: export queries are server-side definitions (schema/exports),
  reviewed like the manifest itself; a caller only supplies variables;
- no CSRF check: exports accept no cookie credentials, so there is no ambient authority for
  a cross-site request to abuse (Power BI sends a bare GET).
"""

from __future__ import annotations

from dataclasses import replace

from router.config import RouterConfig
from router.observability.pipeline import instrument_pipeline
from router.observability.tracing import Telemetry
from router.pipeline import Pipeline, StageSlots, build_pipeline

__all__ = ["export_pipeline"]


def export_pipeline(config: RouterConfig, slots: StageSlots, telemetry: Telemetry | None = None) -> Pipeline:
    """The pipeline of export pages for a router running `config` with `slots`; instrumented
    (metrics always, spans when `telemetry` traces) like the /graphql pipeline."""
    export_config = config.model_copy(update={"csrf": config.csrf.model_copy(update={"enabled": False})})
    pipeline = build_pipeline(
        export_config, apq_store=None, slots=replace(slots, documents=None, authentication=None)
    )
    return instrument_pipeline(pipeline, telemetry or Telemetry())
