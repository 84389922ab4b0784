"""How a packet crosses from one chassis to another, as ovn-controller's physical flows do it.

* Overlay: the logical outport is on another chassis and the datapath has no localnet
  port: the packet is encapsulated (Geneve) towards that chassis' encap IP, carrying
  the datapath key and the logical inport / outport keys; the receiving chassis runs the
  egress pipeline.
* VLAN provider network: the datapath has a localnet port: the egress pipeline runs on
  the sending chassis with outport = the localnet port, and the frame leaves over the
  physnet's bridge with the localnet port's VLAN tag. A routed frame whose eth.src is
  the MAC of a router port attached to the switch leaves with the chassis MAC instead
  when the chassis has `ovn-chassis-mac-mappings` for that physnet (and the router
  port's `cr-` port is not resident there); the receiving chassis maps any remote
  chassis MAC back to the router port MAC before its ingress pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ovntwin.trace.flowfmt import mac
from ovntwin.trace.placement import ChassisView, Placement
from ovntwin.trace.sbindex import Port, SbIndex


@dataclass(frozen=True, slots=True)
class Crossing:
    """One chassis-to-chassis hop of the packet."""

    via: str  # "geneve" (any tunnel type) | "vlan"
    src: str
    dst: str
    facts: tuple[tuple[str, Any], ...]

    @property
    def text(self) -> str:
        shown = ", ".join(f"{k}={_quote(v)}" for k, v in self.facts)
        return f'{self.via}(from="{self.src}", to="{self.dst}", {shown})'

    def to_json(self) -> dict[str, Any]:
        return {"via": self.via, "from": self.src, "to": self.dst, **dict(self.facts)}


def _quote(value: Any) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


def tunnel(
    placement: Placement, src: str, dst: str, dp_key: int, in_key: int, out_key: int
) -> Crossing:
    here, there = placement.chassis.get(src), placement.chassis.get(dst)
    return Crossing(
        "geneve" if there is None or there.encap_type in ("", "geneve") else there.encap_type,
        src,
        dst,
        (
            ("local_ip", here.encap_ip if here else ""),
            ("remote_ip", there.encap_ip if there else ""),
            ("datapath_key", dp_key),
            ("inport_key", in_key),
            ("outport_key", out_key),
        ),
    )


def router_macs(index: SbIndex, localnet: Port) -> list[tuple[str, int]]:
    """(router port, MAC) of every router port attached to the localnet port's switch."""
    out = []
    for port in index.ports.values():
        if port.dp.uuid != localnet.dp.uuid or not port.peer or port.peer not in index.ports:
            continue
        rp = index.ports[port.peer]
        if rp.pb.mac:
            out.append((rp.name, int(rp.pb.mac[0].split()[0].replace(":", ""), 16)))
    return out


def wire_src(
    index: SbIndex, placement: Placement, here: ChassisView, localnet: Port, eth_src: int
) -> tuple[int, str]:
    """The eth.src that goes on the wire from `here` through `localnet`, and why."""
    physnet = localnet.pb.options.get("network_name", "")
    chassis_mac = here.macs.get(physnet)
    for rport, rmac in router_macs(index, localnet):
        if rmac != eth_src:
            continue
        if chassis_mac is None:
            return eth_src, f"{rport} MAC: no chassis MAC for {physnet} on {here.name}"
        if placement.resident(f"cr-{rport}", here.name):
            return eth_src, f"{rport} MAC: cr-{rport} is resident here"
        return int(chassis_mac.replace(":", ""), 16), f"chassis MAC of {here.name}"
    return eth_src, "unchanged"


def vlan(
    index: SbIndex, placement: Placement, here: ChassisView, dst: str, localnet: Port,
    eth_src: int,
) -> Crossing:  # fmt: skip
    physnet = localnet.pb.options.get("network_name", "")
    wire, why = wire_src(index, placement, here, localnet, eth_src)
    facts: list[tuple[str, Any]] = [
        ("physnet", physnet),
        ("bridge", here.bridges.get(physnet, "")),
        ("localnet", localnet.name),
    ]
    if localnet.pb.tag:
        facts.append(("vlan", localnet.pb.tag))
    facts.append(("eth.src", mac(wire)))
    if wire != eth_src:
        facts.append(("replaced_eth.src", mac(eth_src)))
    facts.append(("why", why))
    return Crossing("vlan", here.name, dst, tuple(facts))


def restored_src(index: SbIndex, placement: Placement, receiver: str, localnet: Port,
                 wire: int) -> int | None:  # fmt: skip
    """The router port MAC the receiver's table 0 puts back for a remote chassis MAC."""
    for name, view in placement.chassis.items():
        if name == receiver:
            continue
        # ovn-controller matches any remote chassis MAC, whatever its physnet.
        if wire in {int(m.replace(":", ""), 16) for m in view.macs.values()}:
            macs = router_macs(index, localnet)
            return macs[0][1] if macs else None
    return None
