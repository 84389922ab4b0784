"""Blocking JSON-RPC requests to an OVSDB server (unix:PATH, tcp:HOST:PORT, ssl:...),
through the `ovs` Python package's streams, with a deadline and answers to echo probes."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from typing import Any

import ovs.jsonrpc
import ovs.poller
import ovs.stream

from ovntwin.errors import LoadError


def connect(remote: str, deadline: float) -> Any:
    """An open `ovs.jsonrpc.Connection` to `remote` (the caller closes it)."""
    if not ovs.stream.Stream.is_valid_name(remote):
        raise LoadError(f"{remote}: expected unix:PATH or tcp:HOST:PORT")
    error, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(remote), ms_left(deadline))
    if not error and ms_left(deadline) <= 0:
        error = errno.ETIMEDOUT  # open_block gave up still connecting
    if error:
        if stream is not None:
            stream.close()
        raise LoadError(f"{remote}: cannot connect: {os.strerror(error)}")
    return ovs.jsonrpc.Connection(stream)


def request(remote: str, method: str, params: list[Any], timeout: float) -> Any:
    """The result of one `method(params)` on `remote`, on a connection of its own."""
    deadline = time.monotonic() + timeout
    rpc = connect(remote, deadline)
    try:
        return call(rpc, remote, method, params, deadline)
    finally:
        rpc.close()


def call(rpc: Any, remote: str, method: str, params: list[Any], deadline: float) -> Any:
    """The result of `method(params)` on the open connection; LoadError on any failure."""
    message = ovs.jsonrpc.Message.create_request(method, params)
    error = rpc.send(message)
    while not error:
        rpc.run()
        error, msg = rpc.recv()
        if error == errno.EAGAIN:
            error = 0
            wait(remote, deadline, lambda p: (rpc.wait(p), rpc.recv_wait(p)))
        elif msg is not None and msg.type == ovs.jsonrpc.Message.T_REQUEST:
            if msg.method == "echo":  # the server's inactivity probe
                rpc.send(ovs.jsonrpc.Message.create_reply(msg.params, msg.id))
        elif msg is not None and msg.id == message.id:
            if msg.type != ovs.jsonrpc.Message.T_REPLY:
                raise LoadError(f"{remote}: {method} failed: {msg.error}")
            return msg.result
    reason = "connection closed" if error == ovs.jsonrpc.EOF else os.strerror(error)
    raise LoadError(f"{remote}: {method} failed: {reason}")


def wait(remote: str, deadline: float, arm: Callable[[Any], Any]) -> None:
    """Block until what `arm` registers on a poller is ready, or fail at the deadline."""
    remaining = ms_left(deadline)
    if remaining <= 0:
        raise LoadError(f"{remote}: timed out waiting for the OVSDB server")
    poller = ovs.poller.Poller()
    arm(poller)
    poller.timer_wait(remaining)
    poller.block()


def ms_left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))
