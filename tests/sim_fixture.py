"""A hand-made `Results` (as the engine reports it) for the CLI, plot and pcap tests."""

from __future__ import annotations

from ovntwin.fabric.results import FlowResult, HaEvent, Results
from ovntwin.fabric.tor import CamEntry, Detection, MacMove

S = 1_000_000
R1_B_MAC = "fa:16:3e:00:01:02"  # R1/r1-B in examples/seed-network.yaml


def flapping_results(variant: str | None = None, moves: bool = True) -> Results:
    """R1's B-leg MAC flapping between hv-a and hv-b on VLAN 2010, two pings, a failover."""
    ports = ("hv-a-vlan", "hv-b-vlan")
    mac_moves = tuple(
        MacMove(
            time_us=(1 + n) * S + 500,
            switch="tor1",
            vlan=2010,
            mac=R1_B_MAC,
            from_port=ports[n % 2],
            to_port=ports[(n + 1) % 2],
        )
        for n in range(6 if moves else 0)
    )
    detections = (
        (Detection(6 * S + 500, "tor1", 2010, R1_B_MAC, 6, "stop-learning", "hv-b-vlan", 126 * S),)
        if moves
        else ()
    )
    cam = {"tor1": (CamEntry(2010, R1_B_MAC, "hv-a-vlan", 1 * S + 20),)}
    ha = (
        HaEvent(time_us=0, kind="bfd", chassis="hv-a", peer="gw1", old="down", new="init"),
        HaEvent(time_us=1 * S, kind="bfd", chassis="hv-a", peer="gw1", old="init", new="up"),
        HaEvent(time_us=10 * S, kind="failure", chassis="gw1", detail="crash gw1"),
        HaEvent(
            time_us=12 * S + 700_000,
            kind="bfd",
            chassis="hv-a",
            peer="gw1",
            old="up",
            new="down",
            diag="control-detection-time-expired",
        ),  # fmt: skip
        HaEvent(
            time_us=12 * S + 800_000, kind="takeover", chassis="gw2", peer="gw1", port="cr-r1-ext"
        ),  # fmt: skip
        HaEvent(
            time_us=12 * S + 800_000,
            kind="garp",
            chassis="gw2",
            port="cr-r1-ext",
            mac="fa:16:3e:00:00:99",
            ip="172.24.4.100",
        ),  # fmt: skip
    )
    flows = (
        FlowResult(
            name="vm1-to-vm4",
            kind="ping",
            source="vm1",
            dst_ip="10.0.2.14",
            sent=20,
            received=17,
            rtts_us=(120,) * 10 + (None,) * 3 + (130,) * 7,
            throughput=tuple((t * S, 1024 if 10 <= t < 13 else 1088) for t in range(1, 20)),
            path=("hv-a:R1", "tor1:hv-b-vlan", "hv-b:B"),
            one_way_latency_us=60,
            extra_hop_latency_us=None if variant != "reside" else 40,
            drops=(("gateway down", 3),),
        ),  # fmt: skip
        FlowResult(
            name="udp",
            kind="udp",
            source="vm6",
            dst_ip="10.0.2.13",
            sent=100,
            received=100,
            throughput=((0, 3_000_000), (S, 2_990_000), (2 * S, 5_000_000)),
        ),  # fmt: skip
    )
    return Results(
        scenario="vlan-dvr-flapping",
        variant=variant,
        seed=1,
        until_us=20 * S,
        mac_moves=mac_moves,
        detections=detections,
        cam=cam,
        cam_first_journey=cam,
        ha_events=ha,
        flows=flows,
        wall_time_s=0.25,
    )
