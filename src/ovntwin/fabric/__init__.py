"""fabric: the physical network under OVN, in simulated time.

Chassis, physical networks (VLAN provider, flat, overlay), top-of-rack switches,
external hosts, placement of VIFs, traffic and timed failures are described in a
scenario file (docs/fabric-format.md); `ovntwin.fabric.load.load_scenario(path, variant)`
reads it into a `scenario.Scenario` (values from `spec`).
The simulation modules (ToR, BFD, token buckets, engine) build on that description.
Layer 6: may import errors, expr, model, southbound, loaders, compiler and trace.
"""

from __future__ import annotations
