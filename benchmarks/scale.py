"""The benchmark topology: N switches x VIFS VIFs, all on one distributed router."""

from __future__ import annotations

from ovntwin.model import rows as r
from ovntwin.model.db import NorthboundDB


def _mac(kind: int, i: int, j: int) -> str:
    return f"0a:{kind:02x}:{(i >> 8) & 0xFF:02x}:{i & 0xFF:02x}:00:{j:02x}"


def _net(i: int) -> str:
    """10.<hi>.<lo>.0/24 for switch i (room for 65536 switches)."""
    return f"10.{(i >> 8) & 0xFF}.{i & 0xFF}"


def scale_topology(n_switches: int, vifs: int = 10) -> NorthboundDB:
    rows: list[r.Row] = []
    lrp_uuids: list[str] = []
    ls_uuids: list[str] = []
    for i in range(n_switches):
        ports: list[str] = []
        for j in range(vifs):
            uid = f"00000000-0000-4000-8001-{i:06x}{j:06x}"
            addr = f"{_mac(1, i, j)} {_net(i)}.{j + 10}"
            rows.append(r.LogicalSwitchPort(uuid=uid, name=f"vm-{i}-{j}", addresses=(addr,)))
            ports.append(uid)
        rp = f"00000000-0000-4000-8002-{i:012x}"
        rows.append(
            r.LogicalSwitchPort(
                uuid=rp,
                name=f"sw{i}-r",
                type="router",
                addresses=("router",),
                options={"router-port": f"r-sw{i}"},
            )
        )
        ports.append(rp)
        ls = f"00000000-0000-4000-8003-{i:012x}"
        rows.append(r.LogicalSwitch(uuid=ls, name=f"sw{i}", ports=tuple(ports)))
        ls_uuids.append(ls)
        lrp = f"00000000-0000-4000-8004-{i:012x}"
        rows.append(
            r.LogicalRouterPort(
                uuid=lrp, name=f"r-sw{i}", mac=_mac(2, i, 1), networks=(f"{_net(i)}.1/24",)
            )
        )
        lrp_uuids.append(lrp)
    rows.append(
        r.LogicalRouter(
            uuid="00000000-0000-4000-8005-000000000000", name="r0", ports=tuple(lrp_uuids)
        )
    )
    return NorthboundDB.build(rows)


def scale_microflow(n_switches: int) -> str:
    """vm-0-0 to the first VIF of the last switch, through the router."""
    last = n_switches - 1
    return (
        f'inport == "vm-0-0" && eth.src == {_mac(1, 0, 0)} && eth.dst == {_mac(2, 0, 1)} && '
        f"ip4.src == {_net(0)}.10 && ip4.dst == {_net(last)}.10 && ip.ttl == 64 && icmp4"
    )
