"""The seed's Neutron workflow as a NeutronState: networks A (VLAN 2011) and B (VLAN 2010),
an external flat network, router R1 with a gateway, VMs on computes, SG rules for SSH and
ping, and the bw-limiter policy (3000/300 kbps egress) on vm1's port."""

from __future__ import annotations

from ovntwin.model.runtime import Chassis, Encap
from ovntwin.neutron import resources as nr

NET_A = "aaaaaaaa-0000-0000-0000-00000000000a"
NET_B = "bbbbbbbb-0000-0000-0000-00000000000b"
NET_EXT = "eeeeeeee-0000-0000-0000-00000000000e"
SUB_A, SUB_B, SUB_EXT = (f"5ab00000-0000-0000-0000-0000000000{x}" for x in ("0a", "0b", "0e"))
ROUTER = "12121212-0000-0000-0000-000000000001"
SG = "5e5e5e5e-0000-0000-0000-000000000001"
POLICY = "90909090-0000-0000-0000-000000000001"
VM1, VM2, VM4 = (f"f0f0f0f0-0000-0000-0000-00000000000{i}" for i in (1, 2, 4))
RIF_A, RIF_B, RGW = (f"f1f1f1f1-0000-0000-0000-00000000000{i}" for i in ("a", "b", "e"))
FIP, FIP_PORT = "f1f00000-0000-0000-0000-000000000001", "f2f2f2f2-0000-0000-0000-000000000001"


def _net(net_id: str, name: str, kind: str, physnet: str, tag: int | None) -> nr.Network:
    seg = nr.Segment(
        id=f"{net_id[:8]}-5e65-0000-0000-000000000000",
        network_type=kind,
        physical_network=physnet,
        segmentation_id=tag,
    )
    return nr.Network(id=net_id, name=name, segments=(seg,), router_external=name == "ext")


def _vm(pid: str, net: str, sub: str, mac: str, ip: str, host: str) -> nr.Port:
    return nr.Port(
        id=pid,
        network_id=net,
        mac_address=mac,
        device_owner="compute:nova",
        device_id=f"vm-{pid[-1]}",
        fixed_ips=(nr.FixedIP(subnet_id=sub, ip_address=ip),),
        binding_host_id=host,
        security_groups=(SG,),
    )


def _rport(pid: str, net: str, sub: str, mac: str, ip: str, owner: str) -> nr.Port:
    return nr.Port(
        id=pid,
        network_id=net,
        mac_address=mac,
        device_owner=owner,
        device_id=ROUTER,
        fixed_ips=(nr.FixedIP(subnet_id=sub, ip_address=ip),),
    )


def rules() -> tuple[nr.SecurityGroupRule, ...]:
    def rule(i: int, direction: str, **kw: object) -> nr.SecurityGroupRule:
        rid = f"5e5e0000-0000-0000-0000-00000000000{i}"
        return nr.SecurityGroupRule(id=rid, security_group_id=SG, direction=direction, **kw)  # type: ignore[arg-type]

    return (
        rule(1, "egress"),
        rule(2, "ingress", remote_group_id=SG),
        rule(
            3,
            "ingress",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix="0.0.0.0/0",
        ),
        rule(4, "ingress", protocol="icmp", remote_ip_prefix="0.0.0.0/0"),
    )


def bw_limiter(max_kbps: int = 3000, burst: int = 300) -> nr.QosPolicy:
    rule = nr.BandwidthLimitRule(
        id="b0b00000-0000-0000-0000-000000000001",
        max_kbps=max_kbps,
        max_burst_kbps=burst,
        direction="egress",
    )
    return nr.QosPolicy(id=POLICY, name="bw-limiter", rules=(rule,))


def state(vm1_policy: str | None = POLICY) -> nr.NeutronState:
    ports = (
        _vm(VM1, NET_A, SUB_A, "fa:16:3e:00:00:01", "10.0.1.11", "comp1"),
        _vm(VM2, NET_A, SUB_A, "fa:16:3e:00:00:02", "10.0.1.12", "comp2"),
        _vm(VM4, NET_B, SUB_B, "fa:16:3e:00:00:04", "10.0.2.14", "comp2"),
        _rport(RIF_A, NET_A, SUB_A, "fa:16:3e:00:01:01", "10.0.1.1", "network:router_interface"),
        _rport(RIF_B, NET_B, SUB_B, "fa:16:3e:00:01:02", "10.0.2.1", "network:router_interface"),
        _rport(RGW, NET_EXT, SUB_EXT, "fa:16:3e:00:01:03", "172.24.4.10", "network:router_gateway"),
        nr.Port(
            id=FIP_PORT,
            network_id=NET_EXT,
            mac_address="fa:16:3e:00:aa:01",
            device_owner="network:floatingip",
            device_id=FIP,
            fixed_ips=(nr.FixedIP(subnet_id=SUB_EXT, ip_address="172.24.4.100"),),
        ),
    )
    ports = tuple(
        nr.Port(**{**_fields(p), "qos_policy_id": vm1_policy}) if p.id == VM1 else p for p in ports
    )
    gw_info = nr.ExternalGateway(
        network_id=NET_EXT,
        external_fixed_ips=(nr.FixedIP(subnet_id=SUB_EXT, ip_address="172.24.4.10"),),
    )
    return nr.NeutronState(
        networks=(
            _net(NET_A, "A", "vlan", "physnet1", 2011),
            _net(NET_B, "B", "vlan", "physnet1", 2010),
            _net(NET_EXT, "ext", "flat", "external", None),
        ),
        subnets=(
            nr.Subnet(id=SUB_A, network_id=NET_A, cidr="10.0.1.0/24", gateway_ip="10.0.1.1"),
            nr.Subnet(id=SUB_B, network_id=NET_B, cidr="10.0.2.0/24", gateway_ip="10.0.2.1"),
            nr.Subnet(
                id=SUB_EXT,
                network_id=NET_EXT,
                cidr="172.24.4.0/24",
                gateway_ip="172.24.4.1",
                enable_dhcp=False,
            ),
        ),
        ports=ports,
        routers=(nr.Router(id=ROUTER, name="R1", external_gateway_info=gw_info),),
        floatingips=(
            nr.FloatingIP(
                id=FIP,
                floating_network_id=NET_EXT,
                floating_ip_address="172.24.4.100",
                floating_port_id=FIP_PORT,
                port_id=VM1,
                fixed_ip_address="10.0.1.11",
                router_id=ROUTER,
            ),
        ),
        security_groups=(nr.SecurityGroup(id=SG, name="default", rules=rules()),),
        qos_policies=(bw_limiter(),),
    )


def _fields(p: nr.Port) -> dict[str, object]:
    return {f: getattr(p, f) for f in p.__dataclass_fields__}


def chassis() -> tuple[Chassis, ...]:
    def ch(name: str, ip: str, gw: bool) -> Chassis:
        cfg = {"ovn-bridge-mappings": "physnet1:br-vlan,external:br-ex"}
        if gw:
            cfg["ovn-cms-options"] = "enable-chassis-as-gw"
        return Chassis(
            name=name, hostname=name, encaps=(Encap(type="geneve", ip=ip),), other_config=cfg
        )

    return (
        ch("comp1", "192.168.0.11", False),
        ch("comp2", "192.168.0.12", False),
        ch("gw1", "192.168.0.21", True),
        ch("gw2", "192.168.0.22", True),
    )
