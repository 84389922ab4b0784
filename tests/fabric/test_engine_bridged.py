"""redirect-type=bridged end to end: N/S traffic reaches the gateway over the external
VLAN (localnet) instead of a Geneve tunnel; without it, the compute tunnels to gw1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovntwin.fabric.engine import simulate
from ovntwin.fabric.results import FlowResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# The L3HA example without its failure, hv-a wired to the external network too (bridged
# redirection needs the compute on that physnet), and a `bridged` variant.
BRIDGED = """
variants:
  bridged:
    topology:
      routers:
        - name: R1
          ports:
            - {name: r1-ext, options: {redirect-type: bridged}}
    fabric:
      chassis:
        - {name: hv-a, ovn-chassis-mac-mappings: {external: "0e:00:00:00:00:0a"}}
        - {name: gw1, ovn-chassis-mac-mappings: {external: "0e:00:00:00:00:01"}}
        - {name: gw2, ovn-chassis-mac-mappings: {external: "0e:00:00:00:00:02"}}
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (EXAMPLES / "l3ha-failover.yaml").read_text()
    text = text.replace("topology: seed-network.yaml", f"topology: {EXAMPLES}/seed-network.yaml")
    text = text.replace(
        "        - {name: upstream, mode: access, vlan: 100}",
        "        - {name: upstream, mode: access, vlan: 100}\n"
        "        - {name: hv-a-ext, mode: access, vlan: 100}",
    )
    text = text.replace(
        'nics: {physnet1: "tor1:hv-a-vlan", overlay: "tor1:hv-a-tun"}',
        'nics: {physnet1: "tor1:hv-a-vlan", overlay: "tor1:hv-a-tun", external: "tor1:hv-a-ext"}',
    )
    text = re.sub(
        r"(- name: hv-a\n(?:.*\n)*?      ovn-bridge-mappings: \{physnet1: br-ex)\}",
        r"\1, external: br-ext}",
        text,
        count=1,
    )
    text = text[: text.index("\nevents:")] + "\n" + BRIDGED
    path = tmp_path_factory.mktemp("bridged") / "bridged.yaml"
    path.write_text(text)
    return path


def _ping(path: Path, variant: str | None) -> FlowResult:
    [flow] = simulate(path, variant, until_us=5_000_000).flows
    assert flow.sent > 0 and flow.lost == 0
    return flow


def test_bridged_puts_the_chassis_mac_on_the_wire_and_r1_stays_on_the_gateway(
    scenario: Path,
) -> None:
    cam = simulate(scenario, "bridged", until_us=5_000_000).cam["tor1"]
    external = {(e.mac, e.port) for e in cam if e.vlan == 100}
    assert ("0e:00:00:00:00:0a", "hv-a-ext") in external  # hv-a's chassis MAC
    assert [port for mac, port in external if mac == "fa:16:3e:00:01:03"] == ["gw1-ext"]


def test_without_bridged_the_compute_tunnels_to_the_gateway(scenario: Path) -> None:
    hops = [str(h) for h in _ping(scenario, None).path]
    assert "hv-a:geneve to gw1" in hops[1]


def test_bridged_reaches_the_gateway_over_the_external_vlan(scenario: Path) -> None:
    hops = [str(h) for h in _ping(scenario, "bridged").path]
    assert not any("geneve" in h for h in hops)
    assert "hv-a:out external" in hops[1]
    assert "gw1:localnet external" in hops[2] and "gw1:out external" in hops[3]
