"""Authorization (DESIGN §2 stage 6): enforce `@authenticated` / `@requiresScopes` / `@policy`
before planning by rewriting the prepared operation (router/security/authz.py).

Runs after analysis (it needs `operation.prepared`) and authentication (it reads the verified
claims). Removed fields are reported as errors appended to the final response, and answered
`null` (with null propagation) so the response keeps the operation's shape; when nothing of
the operation remains the answer is `data: null` plus those errors, without planning.
The rewritten operation gets its own `document_hash` (original hash + grant), so the Engine's
plan cache never hands a filtered plan to a caller holding more rights, or the reverse.
`@policy` names are decided by a hook from config ("module:function", sync or async); a hook
that fails denies every policy it was asked about.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog
from graphql import GraphQLSchema

from auth.claims import Claims
from router.pipeline import EngineLike, NextStage, Operation, PreparedLike, operation_fragments
from router.security.authn import request_claims
from router.security.authz import FilterResult, Grant, filter_prepared_parts, policies_used
from router.security.config import AuthorizationConfig
from router.security.directives import AuthorizationRequirements
from router.security.shape import apply_nulls
from router.types import GraphQLResponse

__all__ = ["AuthzStage", "PolicyHook", "load_policy_hook"]

_log = structlog.get_logger("router.authz")

PolicyHook = Callable[[Claims | None, frozenset[str]], Iterable[str] | Awaitable[Iterable[str]]]
_CACHE_SIZE = 4096


def load_policy_hook(reference: str) -> PolicyHook:
    """Import "package.module:function"; refuses what is not callable."""
    module_name, _, attribute = reference.partition(":")
    hook = getattr(importlib.import_module(module_name), attribute, None)
    if not callable(hook):
        raise ValueError(f"policy hook {reference!r} is not a callable")
    return hook  # type: ignore[no-any-return]


class _SchemaAuthz:
    """Requirements of one supergraph plus the per-operation caches that depend on them."""

    def __init__(self, requirements: AuthorizationRequirements, schema: GraphQLSchema) -> None:
        self.requirements = requirements
        self.schema = schema
        self.scope_names = requirements.scope_names
        self._policies: OrderedDict[tuple[str, str | None], frozenset[str]] = OrderedDict()
        self._results: OrderedDict[tuple[str, str | None, Grant], FilterResult] = OrderedDict()

    @staticmethod
    def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        cache[key] = value
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)

    def policies(self, prepared: PreparedLike) -> frozenset[str]:
        key = (prepared.document_hash, prepared.operation_name)
        found = self._policies.get(key)
        if found is None:
            found = policies_used(prepared.operation, operation_fragments(prepared), self.schema, self.requirements)
            self._remember(self._policies, key, found)
        return found

    def filter(self, prepared: PreparedLike, grant: Grant) -> FilterResult:
        key = (prepared.document_hash, prepared.operation_name, grant)
        result = self._results.get(key)
        if result is None:
            result = filter_prepared_parts(
                prepared.operation, operation_fragments(prepared), self.schema, self.requirements, grant
            )
            self._remember(self._results, key, result)
        else:
            self._results.move_to_end(key)
        return result


class AuthzStage:
    """Without a fixed `requirements`, they are read from each engine's supergraph SDL
    (`engine.supergraph.sdl`), once per engine, so a hot reload brings its own rules."""

    def __init__(
        self,
        config: AuthorizationConfig | None = None,
        *,
        requirements: AuthorizationRequirements | None = None,
        policy_hook: PolicyHook | None = None,
    ) -> None:
        config = config or AuthorizationConfig()
        self._enabled = config.enabled
        self._hook = policy_hook or (load_policy_hook(config.policy_hook) if config.policy_hook else None)
        self._fixed = requirements
        self._by_engine: weakref.WeakKeyDictionary[Any, _SchemaAuthz] = weakref.WeakKeyDictionary()

    def _authz(self, engine: EngineLike) -> _SchemaAuthz:
        found = self._by_engine.get(engine)
        if found is None:
            requirements = self._fixed
            if requirements is None:
                sdl = getattr(getattr(engine, "supergraph", None), "sdl", None)
                if not isinstance(sdl, str):
                    raise TypeError("the engine exposes no supergraph SDL; pass `requirements`")
                requirements = AuthorizationRequirements.from_sdl(sdl)
            found = self._by_engine[engine] = _SchemaAuthz(requirements, engine.api_schema)
        return found

    async def _granted_policies(
        self, claims: Claims | None, asked: frozenset[str], request_id: str
    ) -> frozenset[str]:
        if not asked or self._hook is None:
            return frozenset()
        try:
            answer = self._hook(claims, asked)
            if inspect.isawaitable(answer):
                answer = await answer
            return asked & frozenset(name for name in answer if isinstance(name, str))
        except Exception:
            _log.exception("policy_hook_failed", request_id=request_id)
            return frozenset()

    async def __call__(self, operation: Operation, call_next: NextStage) -> GraphQLResponse:
        prepared = operation.prepared
        if not self._enabled or prepared is None:
            return await call_next(operation)
        authz = self._authz(operation.engine)
        if authz.requirements.empty:
            return await call_next(operation)
        claims = request_claims(operation.context)
        policies = await self._granted_policies(
            claims, authz.policies(prepared), operation.context.request_id
        )
        # Only scopes the schema mentions matter: keeps the cache key small and shared.
        grant = Grant(
            claims is not None,
            claims.scopes & authz.scope_names if claims is not None else frozenset(),
            policies,
        )
        result = authz.filter(prepared, grant)
        if not result.changed:
            return await call_next(operation)
        errors = [dict(error) for error in result.errors]
        if result.operation is None or () in result.null_paths:
            # Nothing left, or a removed non-null field nulls the whole `data` anyway: running
            # the rest would only cost subgraph calls (and, for a mutation, hidden side effects).
            return GraphQLResponse(body={"data": None, "errors": errors})
        digest = hashlib.sha256(
            repr((sorted(grant.scopes), sorted(grant.policies), grant.authenticated)).encode()
        )
        operation.prepared = dataclasses.replace(
            prepared,  # type: ignore[type-var]
            document=result.document,
            operation=result.operation,
            document_hash=f"{prepared.document_hash}:authz:{digest.hexdigest()[:16]}",
            **({"fragments": result.fragments} if hasattr(prepared, "fragments") else {}),
        )
        response = await call_next(operation)
        body = response.body
        if response.is_request_error or "data" not in body:
            return response
        # A new body: the one returned may be shared with deduplicated operations.
        merged = {
            **body,
            "data": apply_nulls(body["data"], result.null_paths),
            "errors": [*(body.get("errors") or ()), *errors],
        }
        return dataclasses.replace(response, body=merged, encoded=None)
