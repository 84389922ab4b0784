"""Our compiler + our tracer against real northd + real ovn-trace (masked comparison).

Masked: stage-line uuids, source locators, reg14/reg15 tunnel keys (as tests/oracle).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sandbox import Sandbox, build_seed, have_ovn
from test_trace_oracle import CASES, OPTIONS

from ovntwin.loaders.sources import load_nb
from ovntwin.model.db import NorthboundDB
from ovntwin.trace import reachable_datapaths, render, trace, with_nb_sets

pytestmark = pytest.mark.oracle

_UUID = re.compile(r"(, priority -?\d+, uuid )[0-9a-f]{8}$", re.MULTILINE)
_SOURCE = re.compile(r"^( *\d+\. [a-z_0-9]+ )\([^()\s]*:\d+\)(: )", re.MULTILINE)
_KEYS = re.compile(r"\b(reg1[45]=)0x[0-9a-f]+\b")


def _mask(text: str) -> str:
    text = _UUID.sub(r"\1<uuid>", text)
    return _KEYS.sub(r"\1<key>", _SOURCE.sub(r"\1(<source>)\2", text))


@pytest.fixture(scope="module")
def seed() -> Iterator[tuple[Sandbox, NorthboundDB]]:
    if not have_ovn():
        pytest.fail("OVN binaries are required for oracle tests")
    box = Sandbox().start()
    try:
        build_seed(box)
        yield box, load_nb(box.sock("nb"))
    finally:
        box.stop()


@pytest.mark.parametrize("ct", OPTIONS, ids=list(OPTIONS))
@pytest.mark.parametrize("case", CASES)
def test_compiled_trace_identical(seed: tuple[Sandbox, NorthboundDB], case: str, ct: str) -> None:
    from ovntwin.compiler.compile import compile_nb

    box, nb = seed
    flow = CASES[case]
    sb = with_nb_sets(compile_nb(nb, only=reachable_datapaths(nb, flow)), nb)
    expected = box.trace("--all", *(f"--ct={c}" for c in OPTIONS[ct]), flow)
    assert _mask(render(trace(sb, flow, ct=OPTIONS[ct]), "all")) == _mask(expected)
