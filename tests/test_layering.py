"""Layers import only downward: errors, expr, model, southbound+loaders, compiler, trace,
fabric+neutron, api+agents, cli."""

from __future__ import annotations

import ast
from pathlib import Path

import ovntwin

RANK = {
    "errors": 0,
    "expr": 1,
    "model": 2,
    "southbound": 3,
    "loaders": 3,
    "compiler": 4,
    "trace": 5,
    "fabric": 6,
    "neutron": 6,
    "api": 7,
    "agents": 7,  # per-chassis QoS agents: fabric + neutron, never api
    # the CLI starts the API server (`ovntwin serve`), so it sits above api
    "cli": 8,
}
ROOT = Path(ovntwin.__file__).parent


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "ovntwin" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_every_package_has_a_rank() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(RANK), packages - set(RANK)


def test_imports_only_go_down() -> None:
    bad = []
    for path in ROOT.rglob("*.py"):
        own = path.relative_to(ROOT).parts[0].removesuffix(".py")
        if own not in RANK:
            continue
        for module in _imports(path):
            target = _package_of(module)
            if target is None or target == own or target not in RANK:
                continue
            if RANK[target] >= RANK[own]:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not bad, "\n".join(bad)
