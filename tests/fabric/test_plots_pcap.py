"""fabric/plots.py and fabric/pcap.py on a hand-made Results (tests/sim_fixture.py)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ovntwin.fabric.bfd import BfdPacket, Diag, State
from ovntwin.fabric.packet import PROTO_TCP, Frame, arp_request, icmp_echo, udp
from ovntwin.fabric.pcap import Geneve, PcapWriter
from ovntwin.fabric.plots import bfd_steps, mac_port_steps, plot_results
from sim_fixture import R1_B_MAC, flapping_results

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_mac_port_steps_follow_the_moves() -> None:
    steps = mac_port_steps(flapping_results())
    assert [s.label for s in steps] == [f"tor1 vlan 2010 {R1_B_MAC}"]
    step = steps[0]
    assert step.values[:3] == ("hv-a-vlan", "hv-b-vlan", "hv-a-vlan")
    assert len(step.values) == 7 and step.times_s[0] == pytest.approx(1.00002)


def test_without_moves_the_final_cam_is_drawn_flat() -> None:
    steps = mac_port_steps(flapping_results(moves=False))
    assert [(s.values, s.times_s) for s in steps] == [(("hv-a-vlan",), (1.00002,))]


def test_bfd_steps_per_session() -> None:
    (step,) = bfd_steps(flapping_results())
    assert step.label == "hv-a -> gw1"
    assert step.values == ("down", "init", "up", "down")
    assert step.times_s == (0.0, 0.0, 1.0, 12.7)


@pytest.mark.parametrize("runs", [1, 3])
def test_plot_writes_a_png(tmp_path: Path, runs: int) -> None:
    variants = [None, "with-chassis-mac-mappings", "reside"][:runs]
    results = [flapping_results(v, moves=v is None) for v in variants]
    out = plot_results(results, tmp_path / "flapping.png")
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000


# -- pcap -----------------------------------------------------------------------------

MAC_A, MAC_R = "fa:16:3e:00:00:01", "fa:16:3e:00:01:01"


def _sample_pcap(path: Path, **options: object) -> PcapWriter:
    tunnel = Geneve(src_ip="192.0.2.11", dst_ip="192.0.2.21", vni=3, inport_key=1,
                    outport_key=2, vlan=10)  # fmt: skip
    with PcapWriter(path, **options) as pcap:  # type: ignore[arg-type]
        ping = icmp_echo(MAC_A, MAC_R, "10.0.1.11", "10.0.2.14", seq=1, vlan=2011, dscp=10)
        pcap.capture(1_000_000, "tor1:hv-a-vlan", ping)
        pcap.capture(1_000_250, "tor1:hv-a-vlan", arp_request(MAC_A, "10.0.1.11", "10.0.1.1"))
        train = udp(MAC_A, MAC_R, "10.0.1.11", "10.0.2.14", 40000, 5001, count=3)
        pcap.capture(2_000_000, "tor1:hv-b-vlan", train)
        tcp = Frame(eth_src=MAC_A, eth_dst=MAC_R, ip_src="10.0.1.11", ip_dst="10.0.2.14",
                    proto=PROTO_TCP, sport=40001, dport=5201, size_bytes=1514)  # fmt: skip
        pcap.capture(2_500_000, "tor2:p1", tcp)
        inner = icmp_echo(MAC_A, MAC_R, "10.0.1.11", "10.0.2.14", seq=2)
        pcap.capture(3_000_001, "tor1:hv-a-tun", inner, tunnel=tunnel)
    return pcap


def test_pcap_records_parse_back_with_exact_times_and_sizes(tmp_path: Path) -> None:
    import dpkt

    pcap = _sample_pcap(tmp_path / "out.pcap", points={"tor1"})
    assert (pcap.written, pcap.truncated) == (6, 0)  # tor2 filtered out; the train is 3
    with (tmp_path / "out.pcap").open("rb") as f:
        records = list(dpkt.pcap.Reader(f))
    times = [round(ts * 1e6) for ts, _ in records]
    assert times == [1_000_000, 1_000_250, 2_000_000, 2_000_000, 2_000_000, 3_000_001]
    eths = [dpkt.ethernet.Ethernet(buf) for _, buf in records]
    assert len(records[0][1]) == 98 + 4 and eths[0].vlan_tags[0].id == 2011
    assert eths[0].data.tos >> 2 == 10 and eths[0].data.data.data.seq == 1
    assert isinstance(eths[1].data, dpkt.arp.ARP) and len(records[1][1]) == 60
    assert len(records[2][1]) == 1414 and eths[2].data.data.dport == 5001
    outer = eths[5].data
    assert outer.data.dport == 6081 and eths[5].vlan_tags[0].id == 10
    inner = dpkt.ethernet.Ethernet(outer.data.data[16:])  # 8 B header + 8 B OVN option
    assert inner.data.data.data.seq == 2


def test_pcap_stops_at_max_packets(tmp_path: Path) -> None:
    pcap = _sample_pcap(tmp_path / "out.pcap", max_packets=2)
    assert (pcap.written, pcap.truncated) == (2, 5)


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")
def test_tshark_reads_the_pcap_with_good_checksums(tmp_path: Path) -> None:
    _sample_pcap(tmp_path / "out.pcap")
    fields = ["frame.len", "vlan.id", "ip.dsfield.dscp", "_ws.col.Protocol", "geneve.vni"]
    base = ["tshark", "-r", str(tmp_path / "out.pcap")]
    for proto in ("ip", "udp", "tcp"):
        base += ["-o", f"{proto}.check_checksum:TRUE"]
    command = base + ["-T", "fields"]
    for field in fields:
        command += ["-e", field]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert [r[3] for r in rows] == ["ICMP", "ARP", "UDP", "UDP", "UDP", "TCP", "ICMP"]
    assert rows[0][:3] == ["102", "2011", "10"] and rows[-1][4] == "0x000003"
    bad = subprocess.run(base + ["-Y", "_ws.expert.severity >= warning"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert bad.stdout.strip() == "", bad.stdout


@dataclass(frozen=True)
class _Wire:  # the shape of fabric/wire.py's Wire
    src: str
    dst: str
    tag: int | None
    size_bytes: int
    payload: object
    count: int = 1


@dataclass(frozen=True)
class _Meta:
    datapath_key: int
    inport_key: int
    outport_key: int


@dataclass(frozen=True)
class _Tunnelled:
    src: str
    meta: _Meta
    frame: Frame


@dataclass(frozen=True)
class _Bfd:
    src: str
    packet: BfdPacket


def test_capture_wire_vlan_tunnel_and_bfd(tmp_path: Path) -> None:
    import dpkt

    nic_a, nic_g = "02:0f:00:00:00:01", "02:0f:00:00:00:03"
    underlay = {nic_a: "192.0.2.11", nic_g: "192.0.2.21"}
    ping = icmp_echo(MAC_A, MAC_R, "10.0.1.11", "10.0.2.14", seq=7)
    bfd = BfdPacket(state=State.UP, diag=Diag.NONE, mult=3, my_disc=5, your_disc=9,
                    desired_min_tx_us=100_000, required_min_rx_us=1_000_000)  # fmt: skip
    with PcapWriter(tmp_path / "w.pcap", underlay=underlay) as pcap:
        pcap(10, "tor1:hv-a-vlan", _Wire(MAC_A, MAC_R, 2010, 98, replace(ping, vlan=2010)))
        pcap(
            20,
            "tor1:hv-a-tun",
            _Wire(nic_a, nic_g, None, 148, _Tunnelled("hv-a", _Meta(5, 1, 3), ping)),
        )
        pcap(30, "tor1:hv-a-tun", _Wire(nic_a, nic_g, None, 66, _Bfd("hv-a", bfd)))
        pcap(40, "tor1:hv-a-tun", _Wire(nic_a, nic_g, None, 66, object()))
    assert (pcap.written, pcap.skipped) == (3, 1)
    with (tmp_path / "w.pcap").open("rb") as f:
        eths = [dpkt.ethernet.Ethernet(buf) for _, buf in dpkt.pcap.Reader(f)]
    assert eths[0].vlan_tags[0].id == 2010
    geneve = eths[1].data.data.data
    assert geneve[4:7] == bytes([0, 0, 5]) and geneve[12:16] == bytes([0, 1, 0, 3])
    bfd_udp = dpkt.ethernet.Ethernet(eths[2].data.data.data[16:]).data.data
    assert bfd_udp.dport == 3784 and bfd_udp.data[1] >> 6 == 3 and bfd_udp.data[2] == 3
    if shutil.which("tshark"):
        done = subprocess.run(["tshark", "-r", str(tmp_path / "w.pcap"), "-T", "fields",
                               "-e", "bfd.sta", "-e", "geneve.vni"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        assert done.stdout.split("\n")[2].split("\t") == ["0x03", "0x000000"]
