"""YAML topology files: parse (with lines), validate (JSON Schema), resolve names.

`load_topology(path)` is the entry point; the format is described in
docs/topology-format.md and formally in topology.schema.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ovntwin.loaders.yaml_build import RowBuilder
from ovntwin.loaders.yaml_lines import Reporter, parse_yaml
from ovntwin.loaders.yaml_names import declare
from ovntwin.loaders.yaml_runtime import NamedTrace, runtime_state, traces
from ovntwin.model.db import NorthboundDB

__all__ = ["NamedTrace", "Topology", "load_topology"]


@dataclass(frozen=True, slots=True)
class Topology:
    """A loaded YAML topology: the NB snapshot (with runtime facts) and named traces."""

    nb: NorthboundDB
    traces: tuple[NamedTrace, ...]
    source: str

    def trace(self, name: str) -> NamedTrace | None:
        return next((t for t in self.traces if t.name == name), None)


def load_topology(path: str | Path) -> Topology:
    """Load a YAML topology; every problem raises LoadError with `FILE:LINE:`."""
    file = Path(path)
    doc = parse_yaml(file)
    from ovntwin.loaders.yaml_schema import validate  # jsonschema is slow to import

    validate(file, doc)
    report = Reporter(file, doc)
    names = declare(doc, report)
    rows = RowBuilder(doc, names, report).build()
    runtime = runtime_state(doc, names, report)
    named = traces(doc, names, report)
    return Topology(NorthboundDB.build(rows, runtime), named, str(file))
