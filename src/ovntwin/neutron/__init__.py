"""Neutron resources (frozen snapshots) and their ML2/OVN mapping onto the NB (ml2ovn/)."""
