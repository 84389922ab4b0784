"""Real ovn-northd accepts the NB ML2/OVN rows of the seed, and real ovn-trace agrees."""

from __future__ import annotations

import pytest

from oracle.harness import OvnOracle
from ovntwin.compiler.compile import compile_nb
from ovntwin.neutron.ml2ovn.northbound import build_nb
from ovntwin.trace.api import trace_text

from . import seed


@pytest.mark.oracle
def test_real_northd_and_trace_agree_on_the_seed() -> None:
    nb = build_nb(seed.state(), seed.chassis())
    flow = (
        f'inport == "{seed.VM1}" && eth.src == fa:16:3e:00:00:01 && eth.dst == fa:16:3e:00:00:02'
        " && ip4.src == 10.0.1.11 && ip4.dst == 10.0.1.12 && ip.ttl == 64 && icmp4.type == 8"
    )
    with OvnOracle() as oracle:
        oracle.apply(nb)
        real = oracle.trace(flow, "--minimal")
    assert f'output("{seed.VM2[:6]}");' in real, real
    assert trace_text(compile_nb(nb), flow, "minimal") == real
