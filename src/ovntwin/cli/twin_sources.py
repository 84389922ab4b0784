"""The twin's own NB as an input: `--api URL` (GET /ovntwin/nb) or `--neutron-db URL` (SQL).

Both give the document `ovntwin serve` publishes: the NB rows in the loaders' decoded form
under "OVN_Northbound", the runtime facts as SB Chassis / Encap / Port_Binding rows under
"OVN_Southbound", and the NB transaction number.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ovntwin.errors import LoadError
from ovntwin.loaders.nb_convert import nb_from_tables
from ovntwin.loaders.sb_runtime import runtime_from_tables
from ovntwin.model.db import NorthboundDB
from ovntwin.model.runtime import RuntimeState

TIMEOUT_S = 30.0


def nb_from_document(doc: Any, runtime: RuntimeState | None = None) -> NorthboundDB:
    """A NorthboundDB from a /ovntwin/nb document (`runtime` replaces its runtime facts)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("OVN_Northbound"), dict):
        raise LoadError("not an ovntwin NB document: no OVN_Northbound tables")
    if runtime is None:
        runtime = runtime_from_tables(doc.get("OVN_Southbound") or {})
    return nb_from_tables(doc["OVN_Northbound"], runtime)


def fetch_document(api: str) -> dict[str, Any]:
    """GET {api}/ovntwin/nb from a running `ovntwin serve` (api = its base URL; with
    $OS_TOKEN set, sent as X-Auth-Token)."""
    url = api.rstrip("/")
    if url.endswith("/v2.0"):
        url = url[: -len("/v2.0")]
    url += "/ovntwin/nb"
    if not url.startswith(("http://", "https://")):
        raise LoadError(f"--api {api}: expected an http:// or https:// URL")
    # a server with a token file wants an admin token, given as the openstack CLI takes it
    token = os.environ.get("OS_TOKEN")
    request = urllib.request.Request(url, headers={"X-Auth-Token": token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            doc: dict[str, Any] = json.load(answer)
    except urllib.error.HTTPError as err:
        raise LoadError(f"{url}: HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise LoadError(f"{url}: cannot reach the ovntwin API: {reason}") from None
    except ValueError:
        raise LoadError(f"{url}: the answer is not JSON") from None
    return doc


def read_document(db_url: str) -> dict[str, Any]:
    """The same document, read straight from an `ovntwin serve` database (no server)."""
    try:
        from sqlalchemy.exc import SQLAlchemyError

        from ovntwin.api.db import make_engine
        from ovntwin.api.northbound import document
    except ImportError as err:
        raise LoadError(f"--neutron-db needs the api extra ({err.name} is missing)") from None
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///") :]).is_file():
        raise LoadError(f"{db_url}: no such database file")
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            from sqlalchemy.orm import Session

            with Session(connection) as session:
                return document(session)
    except SQLAlchemyError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise LoadError(f"{db_url}: cannot read the twin's NB: {first}") from None
    finally:
        engine.dispose()


def load_twin_nb(
    api: str | None, neutron_db: str | None, runtime: RuntimeState | None = None
) -> NorthboundDB:
    doc = fetch_document(api) if api is not None else read_document(neutron_db or "")
    return nb_from_document(doc, runtime)
