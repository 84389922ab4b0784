"""Where a traced packet ended up: the machine-readable disposition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Outcome:
    """One end of one path: delivered / localnet / output / dropped / stopped."""

    kind: str
    datapath: str
    packet: str = ""  # "" for the traced packet; "arp", "nd_ns", "icmp4"... for synthesized ones
    port: str = ""
    type: str = ""
    stage: str = ""
    reason: str = ""
    nat: tuple[str, ...] = ()  # address translations on the way, e.g. "ip4.dst=10.0.1.11"

    def describe(self) -> str:
        what = f"{self.packet} packet " if self.packet else ""
        if self.kind == "delivered":
            return f"{what}delivered to port {self.port} ({self.datapath})"
        if self.kind == "localnet":
            return f"{what}output to localnet port {self.port} ({self.datapath})"
        if self.kind == "output":
            return f'{what}output to port {self.port} of type "{self.type}" ({self.datapath})'
        where = f" at {self.stage}" if self.stage else ""
        return f"{what}{self.kind}{where} in {self.datapath}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in ("kind", "datapath", "packet", "port", "type", "stage", "reason")
        }
        out = {k: v for k, v in out.items() if v}
        if self.nat:
            out["nat"] = list(self.nat)
        out["text"] = self.describe()
        return out
