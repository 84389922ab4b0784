"""`ovntwin trace --chassis NAME` end to end; without --chassis nothing changes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ovntwin.cli.main import app
from ovntwin.loaders import load_topology

runner = CliRunner()
FIXTURE = str(Path(__file__).parents[1] / "trace" / "fixtures" / "chassis_seed.yaml")


def _flow(name: str) -> str:
    named = load_topology(FIXTURE).trace(name)
    assert named is not None
    return named.microflow


def test_without_chassis_the_output_has_no_chassis_annotations() -> None:
    args = ["trace", "--nb", FIXTURE, "--ct", "new", _flow("vm1-to-vm4-icmp-east-west")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "chassis=" not in result.stdout and "vlan(" not in result.stdout


def test_chassis_text_and_json() -> None:
    flow = _flow("vm1-to-internet-centralized-fip")
    result = runner.invoke(app, ["trace", "--nb", FIXTURE, "--chassis", "hv-a", "--summary", flow])
    assert result.exit_code == 0, result.output
    assert 'ingress(dp="R1", inport="r1-A", chassis="hv-a")' in result.stdout
    assert 'geneve(from="hv-a", to="gw1"' in result.stdout
    assert 'egress(dp="R1", inport="r1-A", outport="r1-ext", chassis="gw1")' in result.stdout
    result = runner.invoke(app, ["trace", "--nb", FIXTURE, "--chassis", "hv-a", "--json", flow])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["chassis"]["start"] == "hv-a"
    assert [c["to"] for c in doc["chassis"]["crossings"]] == ["gw1", "physical network"]
    assert {"tree", "disposition", "flow"} <= set(doc)


def test_chassis_errors_exit_non_zero() -> None:
    flow = _flow("vm1-to-vm4-icmp-east-west")
    result = runner.invoke(app, ["trace", "--nb", FIXTURE, "--chassis", "gw2", flow])
    assert result.exit_code == 1
    assert 'inport "vm1" is bound on chassis hv-a, not gw2' in result.stderr
