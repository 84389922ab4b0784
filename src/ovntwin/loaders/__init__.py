"""loaders: topologies in, `NorthboundDB` (+ runtime facts) out.

Owns the input formats: YAML topologies (`topology`, validated by
topology.schema.json), OVSDB standalone database files and `ovsdb-client backup`
output (`ovsdb_file`), live OVSDB remotes (`ovsdb_remote`), and the southbound
runtime facts (`sb_runtime`). Imports only from `model` and `errors`.

    load_topology(path) -> Topology       YAML file -> NB rows, runtime, named traces
    load_nb(source, sb=None) -> NorthboundDB   the --nb / --sb dispatch
    load_runtime(source) -> RuntimeState  runtime facts from an SB source
    seed_path() -> Path                   the bundled seed topology (examples/seed.yaml)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ovntwin.loaders.sources import load_nb, load_runtime
from ovntwin.loaders.topology import NamedTrace, Topology, load_topology

__all__ = ["NamedTrace", "Topology", "load_nb", "load_runtime", "load_topology", "seed_path"]


def seed_path() -> Path:
    """The seed topology of issue #2 (two VLAN switches and a router), shipped as data."""
    return Path(str(resources.files("ovntwin.loaders").joinpath("examples", "seed.yaml")))
