"""Port tunnel keys within one datapath, handed out as northd's build_ports does.

Ports already in the southbound runtime ("both" in northd) come before new ones
("nb_only"), each group in ovntwin's port order:

1. `options:requested-tnl-key`, first come first served (a clash leaves the port
   for step 3; a chassisredirect port repeats its DGP's request and always loses);
2. runtime ports keep their current key when still free;
3. the rest take the next free key above the highest key given so far (northd's
   allocation hint), wrapping around to 1 after 32767.

From scratch with no requests this is 1, 2, 3, ... in port order.
"""

from __future__ import annotations

from dataclasses import dataclass

_MAX_PORT_KEY = (1 << 15) - 1  # 16-bit port keys with the top bit for multicast groups


@dataclass(frozen=True)
class KeyRequest:
    name: str
    requested: int | None  # options:requested-tnl-key
    runtime: int | None  # the key the southbound runtime gives it


def assign_port_keys(requests: list[KeyRequest]) -> dict[str, int]:
    ordered = [r for r in requests if r.runtime] + [r for r in requests if not r.runtime]
    used: set[int] = set()
    keys: dict[str, int] = {}
    hint = 0

    def claim(name: str, key: int) -> None:
        nonlocal hint
        used.add(key)
        keys[name] = key
        hint = max(hint, key)

    for req in ordered:
        if req.requested and 0 < req.requested <= _MAX_PORT_KEY and req.requested not in used:
            claim(req.name, req.requested)
    for req in ordered:
        if req.name not in keys and req.runtime and req.runtime not in used:
            claim(req.name, req.runtime)
    for req in ordered:
        if req.name in keys:
            continue
        key = hint
        for _ in range(_MAX_PORT_KEY):
            key = key % _MAX_PORT_KEY + 1
            if key not in used:
                break
        used.add(key)
        keys[req.name] = key
        hint = key
    return keys
