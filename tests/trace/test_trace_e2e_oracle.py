"""Our compiler + our tracer against real northd + real ovn-trace (masked comparison).

Masked: stage-line uuids, source locators, reg14/reg15 tunnel keys (as tests/oracle).
"""

from __future__ import annotations

import re

import pytest
from seed_topology import build_seed
from test_trace_oracle import CASES, OPTIONS

from oracle.harness import OvnOracle
from ovntwin.model.db import NorthboundDB
from ovntwin.trace import render, trace, with_nb_sets

pytestmark = pytest.mark.oracle

_UUID = re.compile(r"(, priority -?\d+, uuid )[0-9a-f]{8}$", re.MULTILINE)
_SOURCE = re.compile(r"^( *\d+\. [a-z_0-9]+ )\([^()\s]*:\d+\)(: )", re.MULTILINE)
_KEYS = re.compile(r"\b(reg1[45]=)0x[0-9a-f]+\b")


def _mask(text: str) -> str:
    text = _UUID.sub(r"\1<uuid>", text)
    return _KEYS.sub(r"\1<key>", _SOURCE.sub(r"\1(<source>)\2", text))


@pytest.fixture(scope="module")
def seed(ovn_oracle: OvnOracle) -> tuple[OvnOracle, NorthboundDB]:
    build_seed(ovn_oracle)
    return ovn_oracle, ovn_oracle.load_nb(sb=False)


@pytest.mark.parametrize("ct", OPTIONS, ids=list(OPTIONS))
@pytest.mark.parametrize("case", CASES)
def test_compiled_trace_identical(seed: tuple[OvnOracle, NorthboundDB], case: str, ct: str) -> None:
    from ovntwin.compiler.compile import compile_lazy

    oracle, nb = seed
    flow = CASES[case]
    sb = with_nb_sets(compile_lazy(nb), nb)  # as the CLI does: flows built on first visit
    expected = oracle.trace(flow, "--all", *(f"--ct={c}" for c in OPTIONS[ct]))
    assert _mask(render(trace(sb, flow, ct=OPTIONS[ct]), "all")) == _mask(expected)
