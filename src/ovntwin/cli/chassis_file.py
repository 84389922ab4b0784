"""`ovntwin serve --chassis FILE`: the SB chassis the gateway scheduler chooses from.

FILE is a fabric scenario (its `fabric.chassis`, as `ovntwin simulate` reads them) or a
small chassis list:

    chassis:
      - name: gw1
        gateway: true                     # ovn-cms-options=enable-chassis-as-gw
        bridge_mappings: {physnet1: br-vlan, external: br-ex}
        encap_ip: 192.168.0.21            # optional
        other_config: {}                  # optional extra SB other_config

Either way each chassis becomes what its ovn-controller would report (the 23.03 feature
flags, ovn-bridge-mappings, ovn-cms-options), exactly as the fabric simulator does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ovntwin.errors import LoadError
from ovntwin.fabric.runtime import sb_chassis
from ovntwin.fabric.spec import ChassisSpec
from ovntwin.loaders.yaml_lines import parse_yaml
from ovntwin.model.runtime import Chassis


def load_chassis(path: str | Path) -> tuple[Chassis, ...]:
    doc = parse_yaml(Path(path))
    if isinstance(doc, Mapping) and "fabric" in doc:
        from ovntwin.fabric.load import load_scenario

        return tuple(sb_chassis(c) for c in load_scenario(path).fabric.chassis)
    items = doc.get("chassis") if isinstance(doc, Mapping) else None
    if not isinstance(items, list) or not items:
        raise LoadError(f"{path}: expected a fabric scenario or a non-empty `chassis:` list")
    return tuple(_chassis(path, i, item) for i, item in enumerate(items))


def _chassis(path: str | Path, index: int, item: Any) -> Chassis:
    where = f"{path}: chassis[{index}]"
    if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
        raise LoadError(f"{where}: each chassis needs a `name`")
    unknown = sorted(set(item) - {"name", "gateway", "bridge_mappings", "encap_ip", "other_config"})
    if unknown:
        raise LoadError(f"{where}: unknown key {unknown[0]!r}")
    spec = ChassisSpec(
        name=item["name"],
        role="gateway" if item.get("gateway") else "compute",
        encap_ip=_optional_str(where, item.get("encap_ip")),
        bridge_mappings=_strmap(where, "bridge_mappings", item.get("bridge_mappings")),
        other_config=_strmap(where, "other_config", item.get("other_config")),
    )
    return sb_chassis(spec)


def _optional_str(where: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise LoadError(f"{where}: encap_ip must be a string")
    return value


def _strmap(where: str, key: str, value: Any) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise LoadError(f"{where}: {key} must be a mapping")
    return MappingProxyType({str(k): str(v) for k, v in value.items()})
