"""`ovntwin simulate`: summary, JSON, variants, plot, pcap and clean errors.

Most tests replace the engine with a hand-made Results (tests/sim_fixture.py), so they
check the command, not the simulation; the last ones run the real engine end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
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
