"""`Flow`: the packet + metadata state that matches read and actions write.

Integer state is kept per OVS storage field, under OVS names; a missing key is 0.
Storage keys and widths (see `symtab.STORAGE_WIDTHS`):

    xxreg0, xxreg1   128  logical registers: reg0 = xxreg0[96..127], reg1 = [64..95],
                          reg2 = [32..63], reg3 = [0..31]; reg4-7 likewise in xxreg1;
                          xreg0 = xxreg0[64..127], xreg1 = xxreg0[0..63], xreg2/3 in xxreg1
    xreg4             64  reg8 = xreg4[32..63], reg9 = xreg4[0..31]
    reg10             32  `flags` (MFF_LOG_FLAGS); flags.loopback = bit 0 ...
    ct_state          32  bits: new 0, est 1, rel 2, rpl 3, inv 4, trk 5, snat 6, dnat 7
    ct_mark 32, ct_label 128, pkt_mark 32
    dl_src, dl_dst    48  eth.src / eth.dst
    dl_type           16  eth.type
    vlan_tci          16  vlan.tci (bit 12 = present)
    nw_proto           8  ip.proto, and arp.op / rarp.op (OVS keeps arp_op there)
    nw_tos             8  ip.dscp is nw_tos[2..7] (as printed by `nw_tos=`)
    nw_ecn             2  ip.ecn
    nw_ttl             8  ip.ttl
    nw_frag            2  ip.frag (bit 0 = is fragment, bit 1 = later fragment)
    nw_src, nw_dst    32  ip4.src/dst and arp.spa/tpa
    ipv6_src, ipv6_dst 128, ipv6_label 20
    tp_src, tp_dst    16  tcp/udp/sctp src/dst; icmp4/icmp6 type (tp_src) and code (tp_dst)
    tcp_flags         12
    arp_sha, arp_tha  48  arp.sha/tha and nd.sll/nd.tll
    nd_target        128
    icmp4.frag_mtu 16, icmp6.frag_mtu 32   OVN-only pseudo fields

`inport` / `outport` are logical port (or multicast group) names; "" means none
(OVS reg14 / reg15 = 0).  All integers are unsigned, most significant bit first
(e.g. dl_dst 0xffffffffffff is broadcast, nw_src 0x0a000001 is 10.0.0.1).
"""

from __future__ import annotations

from ovntwin.errors import ExprTypeError
from ovntwin.expr.symtab import STORAGE_WIDTHS, FieldRef, SymbolTable

__all__ = ["Flow"]


class Flow:
    """Mutable packet state. Use `copy()` before forking a trace branch."""

    __slots__ = ("fields", "inport", "outport")

    def __init__(
        self, fields: dict[str, int] | None = None, inport: str = "", outport: str = ""
    ) -> None:
        self.fields: dict[str, int] = dict(fields) if fields else {}
        self.inport = inport
        self.outport = outport

    # --- raw storage --------------------------------------------------------

    def get(self, storage: str) -> int:
        return self.fields.get(storage, 0)

    def set(self, storage: str, value: int) -> None:
        width = STORAGE_WIDTHS[storage]
        self.fields[storage] = value & ((1 << width) - 1)

    def get_bits(self, storage: str, ofs: int, n_bits: int) -> int:
        return (self.fields.get(storage, 0) >> ofs) & ((1 << n_bits) - 1)

    def set_bits(self, storage: str, ofs: int, n_bits: int, value: int) -> None:
        field_mask = ((1 << n_bits) - 1) << ofs
        old = self.fields.get(storage, 0)
        self.set(storage, (old & ~field_mask) | ((value << ofs) & field_mask))

    # --- symbolic access ----------------------------------------------------

    def read_ref(self, ref: FieldRef) -> int | str:
        if ref.symbol.is_string:
            return self.inport if ref.storage == "inport" else self.outport
        return self.get_bits(ref.storage, ref.storage_ofs, ref.n_bits)

    def write_ref(self, ref: FieldRef, value: int | str) -> None:
        if ref.symbol.is_string:
            if not isinstance(value, str):
                raise ExprTypeError(f"string field {ref.symbol.name} needs a port name")
            if ref.storage == "inport":
                self.inport = value
            else:
                self.outport = value
            return
        if not isinstance(value, int):
            raise ExprTypeError(f"numeric field {ref} needs an integer")
        self.set_bits(ref.storage, ref.storage_ofs, ref.n_bits, value)

    def read(self, symtab: SymbolTable, field: str) -> int | str:
        """Value of `field` ("reg0", "reg0[15]", "eth.src", "inport", ...)."""
        return self.read_ref(symtab.resolve(field))

    def write(self, symtab: SymbolTable, field: str, value: int | str) -> None:
        """Store `value` into `field`; other bits of the storage are kept."""
        self.write_ref(symtab.resolve(field), value)

    def reg32(self, n: int) -> int:
        """OVS 32-bit register regN (0..10; 14/15 are the port names, not here)."""
        if n < 8:
            return self.get_bits(f"xxreg{n // 4}", 32 * (3 - n % 4), 32)
        if n < 10:
            return self.get_bits("xreg4", 32 * (1 - n % 2), 32)
        if n == 10:
            return self.get("reg10")
        raise ValueError(f"reg{n} is not an integer register of the Flow")

    # --- misc ---------------------------------------------------------------

    def copy(self) -> Flow:
        return Flow(self.fields, self.inport, self.outport)

    def nonzero(self) -> dict[str, int]:
        return {k: v for k, v in self.fields.items() if v}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Flow):
            return NotImplemented
        return (
            self.nonzero() == other.nonzero()
            and self.inport == other.inport
            and self.outport == other.outport
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        body = ", ".join(f"{k}=0x{v:x}" for k, v in sorted(self.nonzero().items()))
        return f"Flow(inport={self.inport!r}, outport={self.outport!r}, {body})"
