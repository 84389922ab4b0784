"""lr_in_lookup_neighbor and lr_in_learn_neighbor: MAC binding lookup and learning.

Lookup stores "already known" in reg9[2]; with router option
always_learn_from_arp_request=false it also stores "worth learning" in reg9[3]
(only ARP requests aimed at the router itself, and replies, are learnt then).

| stage  | prio | flow                                          | why                              |
|--------|------|-----------------------------------------------|----------------------------------|
| lookup | 110  | per port: ARP request for the port's own IP   | always learn these (option off)  |
| lookup | 110  | NA from link-local to multicast               | skip unsolicited GARP (option off)
| lookup | 100  | ARP reply, NA, NS; ARP request from a subnet  | look the sender up               |
|        |      | (a DGP's requests: on its gateway chassis)    |                                  |
| lookup | 0    | reg9[2] = 1                                   | nothing to learn from the rest   |
| learn  | 100  | known (or not worth learning): next           | skip learning                    |
| learn  | 95   | NS without source / NA without TLL            | special cases before the generic |
| learn  | 90   | put_arp / put_nd                              | learn                            |
| learn  | 0    | drop                                          | default-deny                     |
"""

from __future__ import annotations

from ovntwin.compiler.router import common
from ovntwin.compiler.router.common import RouterFlows, lrp_uuid, resident_on_cr, router_ports
from ovntwin.compiler.stages import Stage

LOOKUP = Stage.LR_IN_LOOKUP_NEIGHBOR
LEARN = Stage.LR_IN_LEARN_NEIGHBOR
RESULT = common.LOOKUP_NEIGHBOR_RESULT  # "this binding is already known"
IP_RESULT = common.LOOKUP_NEIGHBOR_IP_RESULT  # "this sender is worth learning"


def build_neighbor(rf: RouterFlows) -> None:
    learn_all = rf.option_bool("always_learn_from_arp_request", True)
    _lookup_flows(rf, learn_all)
    _learn_flows(rf, learn_all)
    _port_lookup_flows(rf, learn_all)


def _lookup_flows(rf: RouterFlows, learn_all: bool) -> None:
    set_ip = "" if learn_all else f"{IP_RESULT} = 1; "
    rf.add(
        LOOKUP,
        100,
        "arp.op == 2",
        f"{RESULT} = lookup_arp(inport, arp.spa, arp.sha); {set_ip}next;",
    )
    rf.add(LOOKUP, 100, "nd_na", f"{RESULT} = lookup_nd(inport, nd.target, nd.tll); {set_ip}next;")
    if not learn_all:
        rf.add(
            LOOKUP,
            110,
            "nd_na && ip6.src == fe80::/10 && ip6.dst == ff00::/8",
            f"{RESULT} = lookup_nd(inport, ip6.src, nd.tll); "
            f"{IP_RESULT} = lookup_nd_ip(inport, ip6.src); next;",
        )
    ns_ip = "" if learn_all else f"{IP_RESULT} = lookup_nd_ip(inport, ip6.src); "
    rf.add(LOOKUP, 100, "nd_ns", f"{RESULT} = lookup_nd(inport, ip6.src, nd.sll); {ns_ip}next;")
    rf.add(LOOKUP, 0, "1", f"{RESULT} = 1; next;")


def _learn_flows(rf: RouterFlows, learn_all: bool) -> None:
    skip = f"{RESULT} == 1" + ("" if learn_all else f" || {IP_RESULT} == 0")
    rf.add(LEARN, 100, skip, "next;")
    rf.add(LEARN, 90, "arp", "put_arp(inport, arp.spa, arp.sha); next;")
    rf.add(LEARN, 95, "nd_ns && (ip6.src == 0 || nd.sll == 0)", "next;")
    rf.add(LEARN, 95, "nd_na && nd.tll == 0", "put_nd(inport, nd.target, eth.src); next;")
    rf.add(LEARN, 90, "nd_na", "put_nd(inport, nd.target, nd.tll); next;")
    rf.add(LEARN, 90, "nd_ns", "put_nd(inport, ip6.src, nd.sll); next;")
    rf.add(LEARN, 0, "1", rf.drop)


def _port_lookup_flows(rf: RouterFlows, learn_all: bool) -> None:
    lookup = f"{RESULT} = lookup_arp(inport, arp.spa, arp.sha); "
    for port, nets in router_ports(rf.dp):
        # A DGP learns only on its gateway chassis.
        resident = f" && {resident_on_cr(port)}" if port.is_l3dgw else ""
        for a in nets.ipv4_addrs:
            subnet = f"inport == {port.json_name} && arp.spa == {a.network_s}/{a.plen}"
            if not learn_all:
                rf.add(
                    LOOKUP,
                    110,
                    f"{subnet} && arp.tpa == {a.addr_s} && arp.op == 1{resident}",
                    f"{lookup}{IP_RESULT} = 1; next;",
                    lrp_uuid(port),
                )
            ip_lookup = "" if learn_all else f"{IP_RESULT} = lookup_arp_ip(inport, arp.spa); "
            rf.add(
                LOOKUP,
                100,
                f"{subnet} && arp.op == 1{resident}",
                f"{lookup}{ip_lookup}next;",
                lrp_uuid(port),
            )
