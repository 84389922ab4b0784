"""Scenario files -> `Scenario` (format: docs/fabric-format.md, scenario.schema.json).

    load_scenario(path, variant=None) -> Scenario
    scenario_variants(path) -> tuple[str, ...]

Steps: parse with line numbers; pick the variant and deep-merge it over the base
(`sourced.merge`); check the schema; load the NB topology (a path relative to the
scenario file, or inline; a variant may patch it) with the loaders' pipeline; build the
fabric, placement, traffic and events; cross-check them against the topology; and
derive the southbound runtime facts (chassis, encaps, bridge and chassis-MAC mappings,
port bindings) from the fabric and placement. Every problem raises LoadError as
`FILE:LINE: message`.
"""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ovntwin.errors import LoadError
from ovntwin.fabric.build_fabric import FabricBuilder
from ovntwin.fabric.build_flows import FlowsBuilder
from ovntwin.fabric.crosscheck import crosscheck
from ovntwin.fabric.runtime import fabric_runtime
from ovntwin.fabric.scenario import Scenario
from ovntwin.fabric.sourced import SourcedReporter, check_schema, merge
from ovntwin.loaders import Topology
from ovntwin.loaders.yaml_build import RowBuilder
from ovntwin.loaders.yaml_lines import YamlMap, parse_yaml
from ovntwin.loaders.yaml_names import declare
from ovntwin.loaders.yaml_runtime import runtime_state, traces
from ovntwin.model.db import NorthboundDB

__all__ = ["load_scenario", "scenario_schema", "scenario_variants"]


def scenario_schema() -> dict[str, Any]:
    """The scenario JSON Schema (a fresh copy)."""
    text = resources.files("ovntwin.fabric").joinpath("scenario.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def scenario_variants(path: str | Path) -> tuple[str, ...]:
    doc = _parse(Path(path))
    return tuple(str(name) for name in doc.get("variants") or {})


def load_scenario(path: str | Path, variant: str | None = None) -> Scenario:
    file = Path(path)
    base = _parse(file)
    check_schema(scenario_schema(), SourcedReporter(file, base))
    variants = base.get("variants") or YamlMap(1)
    doc, topo_patch = _with_variant(file, base, variants, variant)
    report = SourcedReporter(file, doc)
    check_schema(scenario_schema(), report)
    topo_doc, topo_report = _topology_doc(file, doc, topo_patch, report)
    topology = _build_topology(topo_doc, topo_report)
    fabric = FabricBuilder(doc, report).build()
    flows = FlowsBuilder(doc, report, topology.nb, fabric)
    placement = flows.placements()
    crosscheck(topo_doc, topo_report, topology.nb, fabric, placement, report)
    runtime = fabric_runtime(topology.nb.runtime, fabric, placement, topo_report)
    nb = dataclasses.replace(topology.nb, runtime=runtime)
    return Scenario(
        name=file.stem,
        source=str(file),
        variant=variant,
        variants=tuple(str(v) for v in variants),
        description=_description(doc),
        topology=dataclasses.replace(topology, nb=nb),
        fabric=fabric,
        placement=placement,
        traffic=flows.traffic(),
        events=flows.events(),
        until_us=flows.until_us,
        seed=int(doc.get("seed", 0)),
    )


def _parse(file: Path) -> YamlMap:
    doc = parse_yaml(file)
    if not isinstance(doc, YamlMap):
        raise LoadError(f"{file}:1: a scenario is a mapping (topology:, fabric:, ...)")
    return doc


def _with_variant(
    file: Path, base: YamlMap, variants: Any, variant: str | None
) -> tuple[YamlMap, Any]:
    """The base without `variants`, the variant merged over it; and its topology patch."""
    body = YamlMap(base.line)
    for key, value in base.items():
        if key != "variants":
            body[key] = value
            body.key_lines[key] = base.key_lines[key]
    if variant is None:
        return body, None
    if variant not in variants:
        line = base.key_lines.get("variants", 1)
        known = ", ".join(map(str, variants)) or "none"
        raise LoadError(f"{file}:{line}: unknown variant {variant!r} (variants: {known})")
    patch = variants[variant]
    rest = YamlMap(patch.line)
    for key, value in patch.items():
        if key != "topology":
            rest[key] = value
            rest.key_lines[key] = patch.key_lines[key]
    merged: YamlMap = merge(body, rest, file, file)
    return merged, patch.get("topology")


def _topology_doc(
    file: Path, doc: YamlMap, patch: Any, report: SourcedReporter
) -> tuple[Any, SourcedReporter]:
    """The topology tree (read from its file, or inline) with the variant's patch."""
    value = doc["topology"]
    if isinstance(patch, str):
        value = patch  # a variant may point at another topology file
    if isinstance(value, str):
        topo_file = (file.parent / value).resolve()
        if not topo_file.is_file():
            report.fail(("topology",), f"topology file {value!r} not found (looked at {topo_file})")
        tree: Any = parse_yaml(topo_file)
        if not isinstance(tree, YamlMap):
            raise LoadError(f"{topo_file}:1: a topology is a mapping")
        source = topo_file
    else:
        tree, source = value, file
    if isinstance(patch, YamlMap):
        tree = merge(tree, patch, source, file)
    return tree, SourcedReporter(source, tree)


def _build_topology(doc: Any, report: SourcedReporter) -> Topology:
    """The loaders' YAML pipeline (schema, names, rows, runtime, traces) on a tree."""
    from ovntwin.loaders.yaml_schema import topology_schema

    check_schema(topology_schema(), report)
    names = declare(doc, report)
    rows = RowBuilder(doc, names, report).build()
    runtime = runtime_state(doc, names, report)
    named = traces(doc, names, report)
    return Topology(NorthboundDB.build(rows, runtime), named, str(report.path))


def _description(doc: YamlMap) -> str:
    return " ".join(str(doc.get("description", "")).split())
