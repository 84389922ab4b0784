"""ML2/OVN: the NB rows neutron's OVN mechanism driver writes for a Neutron state."""
