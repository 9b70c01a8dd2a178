"""The gateways under test: how to start each one, as a single process, on one supergraph."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.config import BenchConfig

__all__ = ["GatewaySpec", "gateway_specs", "grafbase_config"]

_SUBGRAPHS = ("accounts", "products", "reviews", "inventory")
_GRAFBASE_BINARY = Path("node_modules/@grafbase/cli-x86_64-unknown-linux-musl/grafbase")
_HIVE_BIN = Path("node_modules/@graphql-hive/gateway/dist/bin.js")

# Node gateways run as they would in production (Apollo Server and Hive Gateway both read it).
_NODE_ENV = {"NODE_ENV": "production"}


@dataclass(frozen=True)
class GatewaySpec:
    name: str
    command: tuple[str, ...]
    port: int
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    # Why the gateway cannot run at all (missing binary, …): reported as skipped.
    unavailable: str | None = None
    note: str = ""


def grafbase_config(config: BenchConfig) -> str:
    """grafbase.toml for `grafbase dev`: the same subgraph SDL files and URLs as the supergraph."""
    lines: list[str] = []
    for index, name in enumerate(_SUBGRAPHS, start=1):
        schema = config.bench_dir / "fixtures" / "schemas" / f"{name}.graphql"
        lines += [
            f"[subgraphs.{name}]",
            f'url = "http://127.0.0.1:{config.subgraph_base_port + index}/graphql"',
            f'schema_path = "{schema}"',
            "",
        ]
    return "\n".join(lines)


def gateway_specs(config: BenchConfig, supergraph: Path, work_dir: Path) -> list[GatewaySpec]:
    """Every gateway named in config.gateways, each on its own port, in a fixed order."""
    bench = config.bench_dir
    node = shutil.which("node") or "node"
    fitgraph = config.repo_dir / ".venv" / "bin" / "fitgraph"
    grafbase = bench / _GRAFBASE_BINARY
    grafbase_toml = work_dir / "grafbase.toml"
    grafbase_toml.write_text(grafbase_config(config), encoding="utf-8")

    def port(index: int) -> int:
        return config.gateway_base_port + index

    hive = (
        node,
        str(bench / _HIVE_BIN),
        "supergraph",
        str(supergraph),
        "--config-path",
        str(bench / "gateways" / "hive.config.mjs"),
        "--host",
        "127.0.0.1",
        "--fork",
        "1",
    )
    all_specs = [
        GatewaySpec(
            name="fitgraph",
            command=(str(fitgraph), "router", "--supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port(1))),
            port=port(1),
            cwd=config.repo_dir,
            unavailable=None if fitgraph.exists() else f"{fitgraph} not found (run `make install`)",
            note="FitGraph router, one uvicorn process (uvloop + httptools)",
        ),
        GatewaySpec(
            name="apollo-gateway",
            command=(node, str(bench / "gateways" / "apollo.mjs"), "--supergraph", str(supergraph), "--port", str(port(2))),
            port=port(2),
            cwd=bench,
            env=_NODE_ENV,
            note="@apollo/gateway + @apollo/server standalone",
        ),
        GatewaySpec(
            name="hive-gateway",
            command=(*hive, "--port", str(port(3))),
            port=port(3),
            cwd=bench,
            env=_NODE_ENV,
            note="@graphql-hive/gateway, JavaScript planner, inbound + outbound in-flight dedup on",
        ),
        GatewaySpec(
            name="hive-gateway-rust",
            command=(*hive, "--port", str(port(4)), "--hive-router-runtime"),
            port=port(4),
            cwd=bench,
            env=_NODE_ENV,
            note="@graphql-hive/gateway + @graphql-hive/router-runtime (Rust planner), inbound dedup on",
        ),
        GatewaySpec(
            name="grafbase",
            command=(str(grafbase), "dev", "--config", str(grafbase_toml), "--listen-address", f"127.0.0.1:{port(5)}"),
            port=port(5),
            cwd=work_dir,
            unavailable=None if grafbase.exists() else "optional @grafbase/cli-x86_64-unknown-linux-musl not installed",
            note="grafbase dev (native reference; composes the same subgraph SDL itself), no target",
        ),
    ]
    return [spec for spec in all_specs if spec.name in config.gateways]
