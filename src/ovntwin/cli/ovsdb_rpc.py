"""One blocking JSON-RPC request to an OVSDB server, for `ovntwin export-nb`."""

from __future__ import annotations

from typing import Any

from ovntwin.errors import LoadError, OvnTwinError
from ovntwin.loaders.ovsdb_rpc import request

TIMEOUT_S = 30.0


class ExportError(OvnTwinError):
    """The OVSDB server is unreachable or refused the transaction."""


def call(remote: str, method: str, params: list[Any], timeout: float = TIMEOUT_S) -> Any:
    """The result of `method(params)` on `remote`; ExportError on any failure."""
    try:
        return request(remote, method, params, timeout)
    except LoadError as err:
        raise ExportError(str(err)) from None
