"""Who is calling: noauth (everyone is admin) or tokens from a token file.

Without a token file the server behaves like Neutron's `auth_strategy = noauth`: every caller
is an admin of the project named by `X-Project-Id` (else `fake_project_id`). With a token file
(YAML or JSON: `token: {project_id, user_id?, roles: [admin|member|reader]}`) the
`X-Auth-Token` header is required and names the caller, as keystonemiddleware would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fastapi import Depends, FastAPI, Request

from ovntwin.api.errors import ApiError
from ovntwin.errors import OvnTwinError

# noauth Neutron's project when the caller names none (neutron.auth.NoauthFakeProjectId)
DEFAULT_PROJECT = "fake_project_id"
NOAUTH_USER = "fake_user_id"
ROLES = ("admin", "member", "reader")
# the version document stays open, as Neutron's api-paste serves "/" outside the auth filter
OPEN_PATHS = frozenset({"/"})
# the twin's own endpoints (NB rows, notification log) show every project's objects
ADMIN_PREFIX = "/ovntwin/"

Tokens = Mapping[str, "Caller"]


@dataclass(frozen=True)
class Caller:
    project_id: str
    user_id: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def can_write(self) -> bool:
        """Keystone's implied roles: admin implies member; reader alone only reads."""
        return self.is_admin or "member" in self.roles


class TokenFileError(OvnTwinError):
    """The token file cannot be read or does not have the expected shape."""


class NotAuthenticated(ApiError):
    status = 401


class PolicyNotAuthorized(ApiError):
    status = 403

    def __init__(self, rule: str) -> None:
        super().__init__(f"(rule:{rule}) is disallowed by policy")


def noauth_caller(project: str | None) -> Caller:
    return Caller(project or DEFAULT_PROJECT, NOAUTH_USER, frozenset({"admin"}))


def _entry(position: int, token: Any, entry: Any) -> Caller:
    where = f"token file entry {position}"
    if not isinstance(token, str) or not token:
        raise TokenFileError(f"{where}: the token must be a non-empty string")
    if not isinstance(entry, dict):
        raise TokenFileError(f"{where}: expected a mapping with project_id and roles")
    unknown = sorted(set(entry) - {"project_id", "user_id", "roles"})
    if unknown:
        raise TokenFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    project = entry.get("project_id")
    if not isinstance(project, str) or not project:
        raise TokenFileError(f"{where}: project_id must be a non-empty string")
    roles = entry.get("roles")
    if not isinstance(roles, list) or not roles:
        raise TokenFileError(f"{where}: roles must be a non-empty list of {list(ROLES)}")
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise TokenFileError(f"{where}: unknown role(s) {bad}; roles are {list(ROLES)}")
    user = entry.get("user_id", f"user-{position}")
    if not isinstance(user, str):
        raise TokenFileError(f"{where}: user_id must be a string")
    return Caller(project, user, frozenset(roles))


def load_tokens(path: str | Path) -> dict[str, Caller]:
    """Parse a token file (JSON is YAML too); errors name the entry and the field."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise TokenFileError(f"cannot read token file {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise TokenFileError(f"token file {path} is not valid YAML/JSON: {err}") from None
    if not isinstance(data, dict) or not data:
        raise TokenFileError(f"token file {path}: expected a mapping of token -> caller")
    return {str(t): _entry(i, t, e) for i, (t, e) in enumerate(data.items(), start=1)}


def _identify(request: Request) -> Caller:
    tokens: Tokens | None = request.app.state.tokens
    if tokens is None:
        return noauth_caller(request.headers.get("x-project-id"))
    token = request.headers.get("x-auth-token")
    if token is None:
        raise NotAuthenticated(
            "The request you have made requires authentication: X-Auth-Token missing.",
            type_name="HTTPUnauthorized",
        )
    caller = tokens.get(token)
    if caller is None:
        raise NotAuthenticated(
            "The request you have made requires authentication: unknown X-Auth-Token.",
            type_name="HTTPUnauthorized",
        )
    return caller


def authenticate(request: Request) -> None:
    """Route dependency: identify the caller once per request (401 when a token is bad)."""
    path = request.url.path
    if path in OPEN_PATHS:
        return
    caller = _identify(request)
    if path.startswith(ADMIN_PREFIX) and not caller.is_admin:
        raise PolicyNotAuthorized(f"get{path.replace('/', '_').rstrip('_')}")
    request.state.caller = caller


def caller_of(request: Request) -> Caller:
    found = getattr(request.state, "caller", None)
    return found if isinstance(found, Caller) else _identify(request)


def install(app: FastAPI, tokens: Tokens | None) -> None:
    """Call before registering routes: they copy the router's dependencies when added."""
    app.state.tokens = tokens
    app.router.dependencies.append(Depends(authenticate))
