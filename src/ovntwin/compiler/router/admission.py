"""lr_in_admission: which frames a router accepts at all, and on which port.

| prio | flow                                   | why                                     |
|------|----------------------------------------|-----------------------------------------|
| 100  | `vlan.present || eth.src[40]`: drop    | no logical VLANs; mcast source is bogus |
| 55   | gateway_mtu bypass match               | skip the size check for chosen traffic  |
| 50   | per enabled port, mcast / own eth.dst  | remember the inport MAC in xreg0        |
|      | (DGP: own eth.dst only on the gateway) | its MAC lives on the gateway chassis    |
| 0    | drop                                   | default-deny                            |
"""

from __future__ import annotations

from ovntwin.compiler.context import Port
from ovntwin.compiler.router.common import (
    INPORT_ETH_ADDR,
    RouterFlows,
    lrp_uuid,
    resident_on_cr,
    router_ports,
)
from ovntwin.compiler.router.mtu import add_mtu_checked_flow
from ovntwin.compiler.stages import Stage


def build_admission(rf: RouterFlows) -> None:
    rf.add(Stage.LR_IN_ADMISSION, 100, "vlan.present || eth.src[40]", rf.drop)
    rf.add(Stage.LR_IN_ADMISSION, 0, "1", rf.drop)
    for port, nets in router_ports(rf.dp):
        if not port.enabled:
            continue  # a disabled port admits nothing: the default drop applies
        actions = f"{INPORT_ETH_ADDR} = {nets.ea_s}; next;"
        unicast = f"eth.dst == {nets.ea_s} && inport == {port.json_name}"
        if _centralized(port):
            unicast += f" && {resident_on_cr(port)}"
        for match in (f"eth.mcast && inport == {port.json_name}", unicast):
            add_mtu_checked_flow(rf, port, Stage.LR_IN_ADMISSION, match, actions, lrp_uuid(port))


def _centralized(port: Port) -> bool:
    """A DGP, unless its switch has vtep ports (ramp traffic stays distributed)."""
    return port.is_l3dgw and not (port.peer is not None and port.peer.datapath.has_vtep_lports)
