"""Shared fixtures. `ovn_oracle`: one private real OVN 23.03 for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from oracle.harness import SKIP_ENV, OvnOracle, installation_problem


@pytest.fixture(scope="session")
def ovn_oracle() -> Iterator[OvnOracle]:
    """A running NB/SB/northd; fails (never skips) without OVN unless OVNTWIN_SKIP_ORACLE=1."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: real-OVN oracle tests skipped on request")
    problem = installation_problem()
    if problem:
        pytest.fail(
            f"real OVN 23.03 is required for oracle tests ({problem}). "
            f"Install it (apt-get install ovn-central ovn-common) or set {SKIP_ENV}=1 to skip.",
            pytrace=False,
        )
    with OvnOracle() as oracle:
        yield oracle
