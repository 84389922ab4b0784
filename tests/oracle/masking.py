"""Masking for ours-vs-real comparisons: exactly three kinds of run-dependent text.

1. UUIDs: the Datapath header UUID in `lflow-list`, and `uuid XXXXXXXX` (the lflow
   UUID prefix) at the end of ovn-trace stage lines.
2. Source locations: the parenthesised locator after the stage name in ovn-trace stage
   lines, `(northd.c:1234)` for OVN, `(file.py:56)` for ovntwin.
3. Port tunnel keys: `reg14=0x..` and `reg15=0x..`.

Nothing else is masked: any other difference is a real difference.
"""

from __future__ import annotations

import re

_DP_HEADER = re.compile(
    r"^(Datapath: .*\()[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(\)  Pipeline: )", re.MULTILINE
)
_STAGE_UUID = re.compile(r"(, priority -?\d+, uuid )[0-9a-f]{8}$", re.MULTILINE)
# " 7. ls_in_acl_hint (northd.c:6228): ..." -- only the locator right after the stage name.
_STAGE_SOURCE = re.compile(r"^( *\d+\. [a-z_0-9]+ )\([^()\s]*:\d+\)(: )", re.MULTILINE)
_PORT_KEYS = re.compile(r"\b(reg1[45]=)0x[0-9a-f]+\b")


def mask(text: str) -> str:
    """`text` (lflow-list or ovn-trace output) with run-dependent parts replaced."""
    text = _DP_HEADER.sub(r"\1<uuid>\2", text)
    text = _STAGE_UUID.sub(r"\1<uuid>", text)
    text = _STAGE_SOURCE.sub(r"\1(<source>)\2", text)
    return _PORT_KEYS.sub(r"\1<key>", text)
