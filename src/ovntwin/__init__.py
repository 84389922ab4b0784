"""ovntwin: an offline, faithful model of an OpenStack Neutron + OVN network.

Packages, in layering order (each imports only from those above it):
    errors       the exception tree
    expr         the OVN match/action language: lexer, parser, symbols, evaluator
    model        northbound rows (OVN NB column names) and southbound runtime facts
    loaders      YAML topologies, OVSDB database files, live OVSDB remotes
    southbound   the southbound rows the compiler produces
    compiler     northd: datapaths, port bindings, logical flows per pipeline area
    trace        the ovn-trace-compatible tracer: a trace tree and its renderings
    cli          the `ovntwin` command
"""

__version__ = "0.1.0"
