"""Friendly names, as ovn-trace prints datapaths and ports."""

from __future__ import annotations

import re

from ovntwin.southbound.rows import DatapathBinding, PortBinding

_UUID_TAIL = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def shorten_uuid(name: str) -> str:
    """A name ending in a full UUID keeps only the first 6 characters of the UUID."""
    if _UUID_TAIL.search(name):
        return name[: len(name) - 36 + 6]
    return name


def datapath_name(dp: DatapathBinding, friendly: bool) -> str:
    if not friendly:
        return dp.nb_uuid
    name = dp.external_ids.get("name2") or dp.external_ids.get("name") or dp.nb_uuid
    return shorten_uuid(name)


def port_name(pb: PortBinding, friendly: bool) -> str:
    if not friendly:
        return pb.logical_port
    return shorten_uuid(pb.external_ids.get("name") or pb.logical_port)


def json_escape(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def friendlier(text: str, names: dict[str, str]) -> str:
    """Replace quoted port names in a match/action text by their friendly names."""
    if not names:
        return text

    def swap(m: re.Match[str]) -> str:
        new = names.get(m.group(1))
        return json_escape(new) if new is not None else m.group(0)

    return _STRING.sub(swap, text)
