"""`ovntwin simulate`: summary, JSON, variants, plot, pcap and clean errors.

Most tests replace the engine with a hand-made Results (tests/sim_fixture.py), so they
check the command, not the simulation; the last ones run the real engine end to end.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ovntwin.cli import simulate as sim
from ovntwin.cli.main import app
from ovntwin.fabric.packet import icmp_echo
from ovntwin.fabric.results import Results
from ovntwin.fabric.scenario import Scenario
from sim_fixture import R1_B_MAC, flapping_results

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"
FLAPPING = str(EXAMPLES / "vlan-dvr-flapping.yaml")


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The engine replaced: every call is recorded; the results say which variant ran."""
    calls: list[dict[str, Any]] = []

    def fake(scenario: Scenario, variant: str | None, until_us: int, progress: Any,
             writer: Any) -> Results:  # fmt: skip
        calls.append({"variant": variant, "until_us": until_us, "writer": writer})
        progress(until_us // 2, until_us)
        if writer is not None:
            ping = icmp_echo("fa:16:3e:00:00:01", R1_B_MAC, "10.0.1.11", "10.0.2.14", vlan=2010)
            wire = type("W", (), {"src": ping.eth_src, "dst": ping.eth_dst, "tag": 2010,
                                  "size_bytes": 98, "payload": ping, "count": 1})()  # fmt: skip
            writer(1_000_000, "tor1:hv-a-vlan", wire)
        return flapping_results(variant, moves=variant is None)

    monkeypatch.setattr(sim, "_simulate", fake)
    return calls


def test_summary_tables(fake_engine: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["simulate", FLAPPING, "--until", "20"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ToR MAC moves (6)" in out and R1_B_MAC in out and "hv-a-vlan <-> hv-b-vlan" in out
    assert "MAC-move detections (1)" in out and "stop-learning" in out
    assert "HA events (6)" in out and "takeover" in out and "failover: failure_us=10000000" in out
    assert "vm1-to-vm4" in out and "3 (15.0%)" in out  # lost pings
    assert "path vm1-to-vm4: hv-a:R1 → tor1:hv-b-vlan → hv-b:B" in out
    assert fake_engine == [{"variant": None, "until_us": 20_000_000, "writer": None}]
    assert "simulated" in result.stderr  # the progress bar


def test_json_to_stdout_is_clean(fake_engine: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["simulate", FLAPPING, "--json", "-"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["tor"]["mac_moves"][0] == {
        "time_us": 1_000_500, "switch": "tor1", "vlan": 2010, "mac": R1_B_MAC,
        "from_port": "hv-a-vlan", "to_port": "hv-b-vlan",
    }  # fmt: skip
    assert doc["flows"][0]["lost"] == 3 and doc["ha"]["events"][2]["kind"] == "failure"
    assert "ToR MAC moves" in result.stderr  # the summary moved to stderr


def test_all_variants_compared_plotted_and_captured(
    fake_engine: list[dict[str, Any]], tmp_path: Path
) -> None:
    png, pcap, out = tmp_path / "f.png", tmp_path / "f.pcap", tmp_path / "r.json"
    args = ["simulate", FLAPPING, "--all-variants", "--plot", str(png), "--pcap", str(pcap),
            "--json", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [c["variant"] for c in fake_engine] == [
        None, "with-chassis-mac-mappings", "reside-on-redirect-chassis",
    ]  # fmt: skip
    table = result.stdout[result.stdout.index("Variants compared") :]
    rows = [line for line in table.splitlines() if line.startswith("│")]
    assert len(rows) == 3 and rows[0].split("│")[2].strip() == "6"  # R1/r1-B moved 6 times
    assert rows[1].split("│")[2].strip() == "0"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert {p.name for p in tmp_path.glob("*.pcap")} == {
        "f.pcap", "f-with-chassis-mac-mappings.pcap", "f-reside-on-redirect-chassis.pcap",
    }  # fmt: skip
    assert "pcap: " in result.stderr and "(1 frames)" in result.stderr
    doc = json.loads(out.read_text())
    assert [r["variant"] for r in doc["runs"]] == [None, "with-chassis-mac-mappings",
                                                  "reside-on-redirect-chassis"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.yaml"], "nope.yaml"),
        ([FLAPPING, "--variant", "nope"], "vlan-dvr-flapping.yaml:"),
        ([FLAPPING, "--variant", "x", "--all-variants"], "exclude each other"),
        ([FLAPPING, "--until", "-1"], "--until must be a positive"),
        ([FLAPPING, "--json", "/nonexistent/dir/r.json"], "cannot write /nonexistent/dir"),
    ],
)
def test_errors_are_clean(fake_engine: list[dict[str, Any]], args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code != 0
    assert message in result.stderr and "Traceback" not in result.output
    assert result.stderr.startswith("ovntwin: ") or "Usage" in result.stderr


def test_unknown_variant_names_the_line(fake_engine: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["simulate", FLAPPING, "--variant", "nope"])
    assert "unknown variant 'nope'" in result.stderr
    line = result.stderr.split("vlan-dvr-flapping.yaml:")[1].split(":")[0]
    assert line.isdigit() and int(line) > 1


# -- the real engine's frames in a pcap, read back by tshark -----------------------------


def _tshark(pcap: Path, display_filter: str, *fields: str) -> list[list[str]]:
    """Rows of the frames matching `display_filter`, one column per field."""
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed (CI installs it: apt-get install tshark)")
    args = ["tshark", "-r", str(pcap), "-Y", display_filter, "-T", "fields"]
    for field in fields:
        args += ["-e", field]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return [line.split("\t") for line in done.stdout.splitlines()]


def _capture(tmp_path: Path, scenario: str, *extra: str) -> Path:
    pcap = tmp_path / "out.pcap"
    args = ["simulate", scenario, "--until", "5", "--pcap", str(pcap), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"pcap: {pcap}" in result.stderr
    return pcap


@pytest.mark.parametrize(
    ("variant", "sources"),
    [
        # Distributed routing: each compute chassis sends routed frames with R1's leg MACs.
        (None, {"2010": {"fa:16:3e:00:01:02"}, "2011": {"fa:16:3e:00:01:01"}}),
        # ovn-chassis-mac-mappings: the chassis MACs of hv-a and hv-b replace R1's.
        (
            "with-chassis-mac-mappings",
            {"2010": {"0e:00:00:00:00:0a", "0e:00:00:00:00:0b"},
             "2011": {"0e:00:00:00:00:0a", "0e:00:00:00:00:0b"}},
        ),
    ],
)  # fmt: skip
def test_pcap_of_the_flapping_scenario(
    tmp_path: Path, variant: str | None, sources: dict[str, set[str]]
) -> None:
    extra = [] if variant is None else ["--variant", variant]
    pcap = _capture(tmp_path, FLAPPING, *extra)
    rows = _tshark(pcap, "icmp", "vlan.id", "eth.src", "ip.src", "ip.dst", "icmp.type")
    pairs = {(r[2], r[3]) for r in rows}
    vms = {("10.0.1.11", "10.0.2.14"), ("10.0.2.14", "10.0.1.11"),  # VM1 <-> VM4
           ("10.0.2.16", "10.0.1.13"), ("10.0.1.13", "10.0.2.16")}  # VM6 <-> VM3  # fmt: skip
    assert pairs == vms
    assert {r[4] for r in rows} == {"8", "0"}  # echo requests and replies
    seen: dict[str, set[str]] = {}
    for vlan, src, *_ in rows:
        seen.setdefault(vlan, set()).add(src)
    assert seen == sources
    # The overlay is there too: BFD inside Geneve between the encap IPs.
    bfd = _tshark(pcap, "geneve && bfd", "ip.src")
    assert {r[0].split(",")[0] for r in bfd} >= {"192.0.2.11", "192.0.2.21", "192.0.2.22"}


def test_pcap_shows_dscp_marks(tmp_path: Path) -> None:
    """A Neutron DSCP-marking rule (NB QoS, priority 2002, from-lport, action dscp) on
    VM2's egress at t=2 s: VM2's UDP frames leave unmarked before, marked after."""
    doc = yaml.safe_load((EXAMPLES / "qos-bandwidth-limit.yaml").read_text())
    doc["topology"] = str(EXAMPLES / doc["topology"])
    doc["until_s"] = 5
    doc["traffic"][0]["rate_kbps"] = 200
    doc["events"] = [{"at_s": 2, "type": "qos-apply", "port": "vm2", "dscp_mark": 26}]
    scenario = tmp_path / "dscp.yaml"
    scenario.write_text(yaml.safe_dump(doc))
    pcap = _capture(tmp_path, str(scenario))
    rows = _tshark(pcap, "udp.dstport == 5001", "frame.time_epoch", "ip.dsfield.dscp")
    before = {r[1] for r in rows if float(r[0]) < 2.0}
    after = {r[1] for r in rows if float(r[0]) >= 2.0}
    assert before == {"0"} and after == {"26"}
