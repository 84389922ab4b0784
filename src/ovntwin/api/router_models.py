"""SQLAlchemy tables for routers and floating IPs (schema from migration 0005).

Interfaces and the gateway are ordinary ports (device_id = router id, device_owner
network:router_interface / network:router_gateway); the gateway's external_fixed_ips are that
port's fixed_ips, as in Neutron, so they are not stored twice here.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ovntwin.api.models import Base, Standard


class RouterRow(Standard, Base):
    __tablename__ = "routers"

    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    # external_gateway_info: network_id / enable_snat / the gateway port / its QoS policy
    gw_network_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("networks.id", ondelete="RESTRICT"), nullable=True
    )
    enable_snat: Mapped[bool] = mapped_column(Boolean, default=True)
    gw_port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="SET NULL"), nullable=True
    )
    # the gateway's policy (qos-gateway-ip); named qos_policy_id so QosPolicyInUse finds it
    qos_policy_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("qos_policies.id", ondelete="RESTRICT"), nullable=True
    )
    # extraroute: [{"destination": cidr, "nexthop": ip}] (Neutron keeps a routerroutes table)
    routes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    availability_zone_hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    flavor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class FloatingIPRow(Standard, Base):
    __tablename__ = "floatingips"

    floating_network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("networks.id", ondelete="RESTRICT"), index=True
    )
    floating_ip_address: Mapped[str] = mapped_column(String(64))
    # the FIP's own port on the external network (device_owner network:floatingip)
    floating_port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), index=True
    )
    # the associated (fixed) port: Neutron's fixed_port_id
    port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="SET NULL"), nullable=True, index=True
    )
    fixed_ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    router_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("routers.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    qos_policy_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("qos_policies.id", ondelete="RESTRICT"), nullable=True
    )
