"""`ovntwin simulate REPLAY.yaml [--api URL]`: the seed's QoS video through the Neutron API.

End to end: API calls at simulated times -> the server's notifications -> per-chassis
agents -> OVN meters / OVS policers in the running fabric. After every call the agents'
NB QoS rows are ML2/OVN's (ml2ovn.qos on the API's own state, and the server's NB).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ovntwin.agents.replay import Replay, ReplayError, load_replay
from ovntwin.cli.main import app
from ovntwin.cli.simulate_api import HttpTransport, _client
from ovntwin.model import rows as r
from ovntwin.neutron.ml2ovn import qos
from ovntwin.neutron.notify import policy_from_dict
from ovntwin.neutron.resources import Network, NeutronState, Port

REPLAY = Path(__file__).parents[2] / "examples" / "qos-api-replay.yaml"
SEC = 1_000_000
FRAME_BITS, IP_BITS = 1414 * 8, 1400 * 8
LINE = 10_000_000_000 * FRAME_BITS // IP_BITS  # 10 Gbit/s of IP packets, in Ethernet bits/s
runner = CliRunner()


class Checking(HttpTransport):
    """After each write: ML2/OVN's rows for every bound port, from the API's own answers,
    and the QoS rows of the server's NB (GET /ovntwin/nb, where the server has it)."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.expected: list[dict[str, tuple[r.QoS, ...]]] = []
        self.server_nb: list[dict[str, dict[str, Any]] | None] = []

    def request(self, method: str, path: str, body: Any | None) -> tuple[int, Any]:
        answer = super().request(method, path, body)
        if method != "GET":
            self.expected.append(self._ml2ovn())
            nb = self.client.get("/ovntwin/nb")
            self.server_nb.append(nb.json()["OVN_Northbound"].get("QoS", {})
                                  if nb.status_code == 200 else None)  # fmt: skip
        return answer

    def _ml2ovn(self) -> dict[str, tuple[r.QoS, ...]]:
        ports = self.client.get("/v2.0/ports").json()["ports"]
        nets = {n["id"]: n for n in self.client.get("/v2.0/networks").json()["networks"]}
        policies = [policy_from_dict(p) for p in
                    self.client.get("/v2.0/qos/policies").json()["policies"]]  # fmt: skip
        state = NeutronState(
            networks=tuple(Network(id=i, qos_policy_id=n["qos_policy_id"])
                           for i, n in nets.items()),
            ports=tuple(Port(id=p["id"], network_id=p["network_id"], mac_address="",
                             qos_policy_id=p["qos_policy_id"]) for p in ports),
            qos_policies=tuple(policies),
        )  # fmt: skip
        out = {p.id: tuple(q.row for q in qos.port_qos(state, p)) for p in state.ports}
        return {k: v for k, v in out.items() if v}


def _columns(row: r.QoS) -> dict[str, Any]:
    return {"priority": row.priority, "direction": row.direction, "match": row.match,
            "action": dict(row.action), "bandwidth": dict(row.bandwidth),
            "external_ids": dict(row.external_ids)}  # fmt: skip


@pytest.fixture(scope="module")
def replayed() -> Iterator[tuple[Any, Checking]]:
    with ExitStack() as stack:
        transport = Checking(_client(None, stack))
        yield Replay(load_replay(REPLAY), transport).run(), transport


def test_throughput_follows_the_api_calls(replayed: tuple[Any, Checking]) -> None:
    run, _ = replayed
    bps = dict(run.results.flows[0].throughput)
    for window, limit in ((0, None), (10, 3_000_000), (20, 5_000_000), (30, None)):
        target = LINE if limit is None else limit
        for second in range(window + 1, window + 10):  # past the burst
            assert abs(bps[second * SEC] - target) <= 0.02 * target, (second, bps[second * SEC])
    applied = [(t, c.row.bandwidth if c.row else None) for t, c in run.changes]
    delay = 2_000  # agent: delay_ms 2
    assert applied == [(10 * SEC + delay, {"rate": 3000, "burst": 300}),
                       (20 * SEC + delay, {"rate": 5000, "burst": 500}),
                       (30 * SEC + delay, None)]  # fmt: skip


def test_agents_rows_are_ml2ovn_rows_after_every_call(replayed: tuple[Any, Checking]) -> None:
    run, transport = replayed
    assert len(run.steps) == len(transport.expected) == 9
    for step, expected, server in zip(run.steps, transport.expected, transport.server_nb,
                                      strict=True):  # fmt: skip
        assert dict(step.ovn_rows) == expected, step.path
        if server is not None:  # the server's NB (api/northbound.py) holds the same rows
            mine = {q.uuid: _columns(q) for rows in step.ovn_rows.values() for q in rows}
            assert {u: c for u, c in server.items() if u in mine} == mine
            ports = {c["external_ids"].get("neutron:port_id") for c in server.values()}
            assert ports - {None} == set(step.ovn_rows)
    (vm2_rows,) = run.steps[6].ovn_rows.values()  # after `port set --qos-policy`
    assert [(q.priority, q.direction, q.bandwidth) for q in vm2_rows] == [
        (2002, "from-lport", {"rate": 3000, "burst": 300})]  # fmt: skip
    assert run.steps[-1].ovn_rows == {}  # after `port unset --qos-policy`


def test_ovs_driver_replay_polices_the_vif() -> None:
    spec = replace(load_replay(REPLAY), driver="ovs", until_us=13 * SEC)
    with ExitStack() as stack:
        run = Replay(spec, HttpTransport(_client(None, stack))).run()
    bps = dict(run.results.flows[0].throughput)
    policed = 3_000_000 * FRAME_BITS // (FRAME_BITS - 14 * 8)  # tc police skips the MAC header
    for second in (11, 12):
        assert abs(bps[second * SEC] - policed) <= 0.02 * policed
    ((at, change),) = run.changes
    assert at == 10 * SEC + 2_000
    assert (change.policing_rate_kbps, change.policing_burst_kbits) == (3000, 300)  # type: ignore[union-attr]


def test_unknown_name_and_refused_call_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"scenario: {REPLAY.parent / 'qos-bandwidth-limit.yaml'}\nuntil_s: 2\napi:\n"
        "  - {at_s: 1, method: PUT, path: '/v2.0/ports/{nope}', body: {port: {}}}\n"
    )
    with ExitStack() as stack, pytest.raises(ReplayError, match=r"bad.yaml:4: unknown name"):
        Replay(load_replay(bad), HttpTransport(_client(None, stack))).run()
    bad.write_text(bad.read_text().replace("'/v2.0/ports/{nope}'", "/v2.0/ports/x"))
    with ExitStack() as stack, pytest.raises(ReplayError, match="404: PortNotFound"):
        Replay(load_replay(bad), HttpTransport(_client(None, stack))).run()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A real `ovntwin serve` app under uvicorn on 127.0.0.1 and an OS-chosen port."""
    import uvicorn

    from ovntwin.api.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(f"sqlite:///{tmp_path / 'n.db'}"), log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


def test_cli_replays_against_a_live_server(server: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["simulate", str(REPLAY), "--api", server, "--until", "13", "-q", "--json", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    bps = dict((t, b) for t, b in doc["flows"][0]["throughput"])
    assert abs(bps[12 * SEC] - 3_000_000) <= 60_000 and bps[5 * SEC] > 10_000_000_000
    calls = doc["replay"]["calls"]
    assert [c["status"] for c in calls] == [201] * 6 + [200]
    assert calls[-1]["qos_rows"] and doc["replay"]["qos_changes"][0]["time_us"] == 10_002_000
    assert "10.002 s  agent" in result.output


def test_cli_api_needs_a_replay_file(server: str) -> None:
    result = runner.invoke(app, ["simulate", str(REPLAY.parent / "qos-bandwidth-limit.yaml"),
                                 "--api", server])  # fmt: skip
    assert result.exit_code == 2 and "not a replay" in result.output
