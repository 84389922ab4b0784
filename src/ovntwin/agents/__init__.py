"""Per-chassis QoS agents: notifications in, OVN or OVS QoS settings out (rank 7).

`agent.ChassisAgent` keeps the newest version of each policy and port it hears of and
gives its driver the policy of every port bound to its chassis; `drivers` turns that
into ML2/OVN's NB QoS rows (meters) or OVS Interface policing + HTB queues, on a target
(the running fabric: `fabric_target.FabricTarget`); `replay` drives a simulation with
Neutron API calls at simulated times.
"""
