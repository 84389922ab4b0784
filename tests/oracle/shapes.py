"""ovn-nbctl command strings for the shapes oracle tests build (one definition for all)."""

from __future__ import annotations


def router_lsp(ls: str, lsp: str, lrp: str) -> str:
    """Switch port `lsp` on `ls` of type router, peered with router port `lrp`."""
    return (
        f"lsp-add {ls} {lsp} -- lsp-set-type {lsp} router -- lsp-set-addresses {lsp} router"
        f" -- lsp-set-options {lsp} router-port={lrp}"
    )


def localnet(ls: str, name: str, network: str = "physnet1", tag: int | str | None = None) -> str:
    """Localnet port `name` on `ls` for physical network `network`, VLAN `tag` if given."""
    cmd = (
        f"lsp-add {ls} {name} -- lsp-set-type {name} localnet -- lsp-set-addresses {name} unknown"
        f" -- lsp-set-options {name} network_name={network}"
    )
    return cmd + (f" -- set Logical_Switch_Port {name} tag={tag}" if tag not in (None, "") else "")


def lrp_options(lrp: str, *options: str) -> str:
    """Set `key=value` options on router port `lrp`."""
    return f"set Logical_Router_Port {lrp} " + " ".join(f"options:{o}" for o in options)
