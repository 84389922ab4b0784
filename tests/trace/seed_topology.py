"""The seed topology built with ovn-nbctl on the session's shared `OvnOracle`."""

from __future__ import annotations

from oracle.harness import OvnOracle


def build_seed(oracle: OvnOracle) -> None:
    """Reset `oracle`, then build the seed: switches A/B (localnet, VLAN), router R1, ACLs."""
    oracle.reset()
    n = oracle.nbctl
    n("ls-add", "A", "--", "ls-add", "B", "--", "lr-add", "R1")
    n("lrp-add", "R1", "r1-A", "fa:16:3e:00:01:01", "10.0.1.1/24")
    n("lrp-add", "R1", "r1-B", "fa:16:3e:00:01:02", "10.0.2.1/24")
    for sw, tag, vms, net in (
        ("A", "2011", (1, 2, 3), "10.0.1"),
        ("B", "2010", (4, 5, 6), "10.0.2"),
    ):
        ln = f"ln-{sw}"
        n("lsp-add", sw, ln, "--", "lsp-set-type", ln, "localnet", "--",
          "lsp-set-addresses", ln, "unknown", "--",
          "lsp-set-options", ln, "network_name=physnet1", "--", "set", "Logical_Switch_Port", ln,
          f"tag={tag}")  # fmt: skip
        for i in vms:
            vm, addr = f"vm{i}", f"fa:16:3e:00:00:0{i} {net}.1{i}"
            n("lsp-add", sw, vm, "--", "lsp-set-addresses", vm, addr, "--",
              "lsp-set-port-security", vm, addr)  # fmt: skip
        rp = f"{sw}-r1"
        n("lsp-add", sw, rp, "--", "lsp-set-type", rp, "router", "--",
          "lsp-set-addresses", rp, "router", "--",
          "lsp-set-options", rp, f"router-port=r1-{sw}")  # fmt: skip
    vms = [f"vm{i}" for i in range(1, 7)]
    n("pg-add", "pg_sg1", *vms)
    n("pg-add", "neutron_pg_drop", *vms)
    acl = ("acl-add", "pg_sg1")
    n(
        *acl,
        "to-lport",
        "1002",
        "outport == @pg_sg1 && ip4 && ip4.src == 0.0.0.0/0 && tcp && tcp.dst == 22",
        "allow-related",
    )
    n(
        *acl,
        "to-lport",
        "1002",
        "outport == @pg_sg1 && ip4 && ip4.src == 0.0.0.0/0 && icmp4",
        "allow-related",
    )
    n(*acl, "from-lport", "1002", "inport == @pg_sg1 && ip4", "allow-related")
    n(
        "acl-add",
        "neutron_pg_drop",
        "from-lport",
        "1001",
        "inport == @neutron_pg_drop && ip",
        "drop",
    )
    n("acl-add", "neutron_pg_drop", "to-lport", "1001", "outport == @neutron_pg_drop && ip", "drop")
    oracle.sync()
