"""One blocking JSON-RPC request to an OVSDB server (unix:PATH, tcp:HOST:PORT, ssl:...),
through the `ovs` Python package's streams, with a deadline and answers to echo probes."""

from __future__ import annotations

import errno
import os
import time
from typing import Any

import ovs.jsonrpc
import ovs.poller
import ovs.stream

from ovntwin.errors import OvnTwinError

TIMEOUT_S = 30.0


class ExportError(OvnTwinError):
    """The OVSDB server is unreachable or refused the transaction."""


def call(remote: str, method: str, params: list[Any], timeout: float = TIMEOUT_S) -> Any:
    """The result of `method(params)` on `remote`; ExportError on any failure."""
    deadline = time.monotonic() + timeout
    if not ovs.stream.Stream.is_valid_name(remote):
        raise ExportError(f"{remote}: expected unix:PATH or tcp:HOST:PORT")
    error, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(remote), _ms(deadline))
    if not error and _ms(deadline) <= 0:
        error = errno.ETIMEDOUT  # open_block gave up still connecting
    if error:
        if stream is not None:
            stream.close()
        raise ExportError(f"{remote}: cannot connect: {os.strerror(error)}")
    rpc = ovs.jsonrpc.Connection(stream)
    try:
        return _exchange(rpc, remote, method, params, deadline)
    finally:
        rpc.close()


def _exchange(rpc: Any, remote: str, method: str, params: list[Any], deadline: float) -> Any:
    request = ovs.jsonrpc.Message.create_request(method, params)
    error = rpc.send(request)
    while not error:
        rpc.run()
        error, msg = rpc.recv()
        if error == errno.EAGAIN:
            error = _wait(rpc, remote, method, deadline)
        elif msg is not None and msg.type == ovs.jsonrpc.Message.T_REQUEST:
            if msg.method == "echo":  # the server's inactivity probe
                rpc.send(ovs.jsonrpc.Message.create_reply(msg.params, msg.id))
        elif msg is not None and msg.id == request.id:
            if msg.type != ovs.jsonrpc.Message.T_REPLY:
                raise ExportError(f"{remote}: {method} failed: {msg.error}")
            return msg.result
    reason = "connection closed" if error == ovs.jsonrpc.EOF else os.strerror(error)
    raise ExportError(f"{remote}: {method} failed: {reason}")


def _wait(rpc: Any, remote: str, method: str, deadline: float) -> int:
    remaining = _ms(deadline)
    if remaining <= 0:
        raise ExportError(f"{remote}: no answer to {method} in time")
    poller = ovs.poller.Poller()
    rpc.wait(poller)
    rpc.recv_wait(poller)
    poller.timer_wait(remaining)
    poller.block()
    return 0


def _ms(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))
