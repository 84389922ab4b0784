"""NeutronError: the exceptions the API raises and the JSON body/status they become.

The class names are Neutron's exception names, because the body's `type` is the class name
and clients (openstacksdk) show it.
"""

from __future__ import annotations

from typing import Any

from ovntwin.errors import OvnTwinError


class ApiError(OvnTwinError):
    """An error answered as `{"NeutronError": {"type", "message", "detail"}}`."""

    status = 500

    def __init__(self, message: str, detail: str = "", type_name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.type_name = type_name or type(self).__name__

    def body(self) -> dict[str, Any]:
        return {
            "NeutronError": {"type": self.type_name, "message": self.message, "detail": self.detail}
        }


class BadRequest(ApiError):
    status = 400


class HTTPBadRequest(BadRequest):
    """Request-level problems Neutron reports through webob (parse errors, bad attributes)."""


class InvalidInput(BadRequest):
    def __init__(self, error_message: str) -> None:
        super().__init__(f"Invalid input for operation: {error_message}.")


class NotFound(ApiError):
    status = 404


class HTTPNotFound(NotFound):
    pass


class Conflict(ApiError):
    status = 409


class InUse(Conflict):
    pass


class PreconditionFailed(ApiError):
    status = 412


class RevisionNumberConstraintFailed(PreconditionFailed):
    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"Constrained to {expected}, but current revision is {current}")


class HTTPMethodNotAllowed(ApiError):
    status = 405


def resource_not_found(kind: str, ident: str) -> NotFound:
    """`NetworkNotFound` etc.: '<Kind> <id> could not be found.'"""
    return NotFound(f"{kind} {ident} could not be found.", type_name=f"{kind}NotFound")


def internal_error() -> ApiError:
    return ApiError("Request Failed: internal server error while processing your request.")
