"""The `ovntwin` command end to end: outputs, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ovntwin.cli.main import app
from ovntwin.loaders import load_topology, seed_path

runner = CliRunner()
SEED = str(seed_path())


def _flow(name: str) -> str:
    trace = load_topology(seed_path()).trace(name)
    assert trace is not None
    return trace.microflow


def test_lflow_list_one_datapath() -> None:
    result = runner.invoke(app, ["lflow-list", "--nb", SEED, "R1"])
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith("Datapath:")]
    assert [h.split("Pipeline: ")[1] for h in headers] == ["ingress", "egress"]
    assert all('"R1"' in h for h in headers)
    assert "lr_in_ip_routing" in result.stdout


def test_lflow_list_unknown_datapath_is_a_clear_error() -> None:
    result = runner.invoke(app, ["lflow-list", "--nb", SEED, "nope"])
    assert result.exit_code != 0
    assert 'datapath "nope" not found' in result.stderr
    assert "Traceback" not in result.output


def test_trace_routes_vm1_to_vm4() -> None:
    result = runner.invoke(
        app, ["trace", "--nb", SEED, "--minimal", "--ct=new", _flow("vm1-to-vm4-icmp")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# icmp,reg14=")
    assert 'output("vm4");' in result.stdout


def test_trace_json_has_a_disposition() -> None:
    result = runner.invoke(
        app, ["trace", "--nb", SEED, "--json", "--ct=new", _flow("vm1-to-vm4-icmp")]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert any(d.get("port") == "vm4" for d in doc["disposition"]), doc["disposition"]


def test_trace_malformed_match_shows_a_caret() -> None:
    result = runner.invoke(app, ["trace", "--nb", SEED, 'inport == "vm1" && eth.src == == 1'])
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1] == 'inport == "vm1" && eth.src == == 1'
    assert "Traceback" not in result.output


def test_trace_unknown_port_is_an_error() -> None:
    result = runner.invoke(app, ["trace", "--nb", SEED, 'inport == "ghost" && eth.type == 0x800'])
    assert result.exit_code != 0
    assert 'unknown port "ghost"' in result.stderr


def test_corrupt_database_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "ovnnb_db.db"
    bad.write_text("OVSDB JSON 12 0\n{not json}\n")
    result = runner.invoke(app, ["lflow-list", "--nb", str(bad)])
    assert result.exit_code != 0
    assert str(bad) in result.stderr
    assert "Traceback" not in result.output


def test_demo_runs_the_seed_traces() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("### ") == len(load_topology(seed_path()).traces)


def test_trace_two_modes_print_two_sections_in_ovn_trace_order() -> None:
    args = ["trace", "--nb", SEED, "--minimal", "--summary", _flow("vm1-to-vm2-ssh")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    banners = [line for line in result.stdout.splitlines() if line.endswith(" trace.")]
    assert banners == ["# Summary trace.", "# Minimal trace."]
