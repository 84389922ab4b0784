"""A live `ovntwin serve` per test module, with gateway-capable chassis to schedule on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clients.live import LiveServer

CHASSIS = """\
chassis:
  - {name: compute1, bridge_mappings: {physnet1: br-ex}, encap_ip: 192.0.2.11}
  - {name: compute2, bridge_mappings: {physnet1: br-ex}, encap_ip: 192.0.2.12}
  - {name: gw1, gateway: true, bridge_mappings: {physnet1: br-ex}, encap_ip: 192.0.2.21}
  - {name: gw2, gateway: true, bridge_mappings: {physnet1: br-ex}, encap_ip: 192.0.2.22}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("osc")
    chassis = tmp / "chassis.yaml"
    chassis.write_text(CHASSIS)
    db = f"sqlite:///{tmp / 'neutron.db'}"
    with LiveServer(db, tmp / "serve.log", "--chassis", str(chassis)) as live:
        yield live
