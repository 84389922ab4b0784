"""What deleting a port means for L3 (l3_db.prevent_l3_port_deletion, disassociate_floatingips).

Kept apart from the router modules so that `ports` can use it without importing them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ovntwin.api import resource
from ovntwin.api.errors import Conflict
from ovntwin.api.port_models import PortRow
from ovntwin.api.router_models import FloatingIPRow, RouterRow

L3_OWNERS = ("network:router_interface", "network:router_gateway", "network:floatingip")


def _owner_exists(session: Session, port: PortRow) -> bool:
    model = FloatingIPRow if port.device_owner == "network:floatingip" else RouterRow
    return session.get(model, port.device_id) is not None


def before_port_delete(session: Session, port: PortRow) -> None:
    """A router's or FIP's port goes only through the router/FIP API (409 ServicePortInUse);
    a VM port's floating IPs are disassociated."""
    if port.device_owner in L3_OWNERS and _owner_exists(session, port):
        raise Conflict(
            f"Port {port.id} cannot be deleted directly via the port API: has device owner "
            f"{port.device_owner}.",
            type_name="ServicePortInUse",
        )
    for fip in session.scalars(select(FloatingIPRow).where(FloatingIPRow.port_id == port.id)):
        fip.port_id = fip.fixed_ip_address = fip.router_id = None
        fip.status = "DOWN"
        resource.bump(fip)
