"""Runtime facts that ovn-controllers write into the southbound DB and northd reacts to.

ovntwin never reads logical flows from a southbound source; it reads only these
facts (the `--sb` option, or the `runtime:` section of a YAML topology):
chassis and their feature flags, encaps, where ports are bound, learned MAC
bindings and FDB entries, and tunnel keys already in use (so that `reg14=` /
`reg15=` in a trace match a live deployment).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ovntwin.model.rows import EMPTY

# Feature flags a 23.03 ovn-controller reports in Chassis other_config; northd ANDs
# each over all chassis (no chassis at all = every feature present).
CHASSIS_FEATURES_23_03: tuple[str, ...] = (
    "port-up-notif",
    "ct-no-masked-label",
    "mac-binding-timestamp",
    "ovn-ct-lb-related",
)


def _map() -> Mapping[str, str]:
    return EMPTY


@dataclass(frozen=True, slots=True, kw_only=True)
class Encap:
    type: str  # geneve | vxlan | stt
    ip: str
    options: Mapping[str, str] = field(default_factory=_map)


@dataclass(frozen=True, slots=True, kw_only=True)
class Chassis:
    name: str
    hostname: str = ""
    encaps: tuple[Encap, ...] = ()
    other_config: Mapping[str, str] = field(default_factory=_map)
    external_ids: Mapping[str, str] = field(default_factory=_map)
    # Liveness as the chassis' peers see it (BFD); not an SB column. A dead chassis
    # is skipped when the active gateway of a distributed gateway port is chosen.
    alive: bool = True

    def has_feature(self, flag: str) -> bool:
        return self.other_config.get(flag) == "true"


@dataclass(frozen=True, slots=True, kw_only=True)
class PortRuntime:
    """What ovn-controller set on one Port_Binding."""

    logical_port: str
    chassis: str | None = None
    up: bool | None = None
    tunnel_key: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MACBinding:
    logical_port: str
    ip: str
    mac: str
    datapath: str | None = None  # datapath name; derived from logical_port when None


@dataclass(frozen=True, slots=True, kw_only=True)
class FDBEntry:
    mac: str
    datapath: str  # logical switch name
    port: str  # logical port name


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeState:
    """Southbound runtime input. Empty = no chassis, every feature, fresh keys."""

    chassis: tuple[Chassis, ...] = ()
    ports: Mapping[str, PortRuntime] = field(default_factory=dict)
    mac_bindings: tuple[MACBinding, ...] = ()
    fdb: tuple[FDBEntry, ...] = ()
    datapath_keys: Mapping[str, int] = field(default_factory=dict)  # NB name -> key

    def feature(self, flag: str) -> bool:
        """True when every local chassis reports `flag` (vacuously true with no chassis).

        northd leaves interconnect chassis (other_config:is-remote=true) out of the AND.
        """
        local = (ch for ch in self.chassis if ch.other_config.get("is-remote") != "true")
        return all(ch.has_feature(flag) for ch in local)
