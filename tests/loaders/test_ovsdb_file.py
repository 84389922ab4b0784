"""OVSDB database file reader on hand-made files: replay, diffs, corruption."""

from __future__ import annotations

import hashlib
import json
import socket
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ovntwin.errors import LoadError
from ovntwin.loaders import load_nb, load_runtime
from ovntwin.loaders.ovsdb_remote import snapshot
from ovntwin.model import rows as r

SCHEMA: dict[str, Any] = {
    "name": "OVN_Northbound",
    "version": "7.0.0",
    "tables": {
        "Logical_Switch": {
            "columns": {
                "name": {"type": "string"},
                "ports": {
                    "type": {
                        "key": {"type": "uuid", "refTable": "Logical_Switch_Port"},
                        "min": 0,
                        "max": "unlimited",
                    }
                },
                "other_config": {
                    "type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}
                },
            }
        },
        "Logical_Switch_Port": {
            "columns": {
                "name": {"type": "string"},
                "tag": {"type": {"key": "integer", "min": 0, "max": 1}},
                "addresses": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
            }
        },
    },
}
LS, P1, P2 = (
    "00000000-0000-0000-0000-00000000000a",
    "00000000-0000-0000-0000-000000000001",
    "00000000-0000-0000-0000-000000000002",
)


def record(body: Any) -> bytes:
    data = (json.dumps(body) + "\n").encode()
    return f"OVSDB JSON {len(data)} {hashlib.sha1(data).hexdigest()}\n".encode() + data


def write_db(path: Path, *txns: Any, schema: Any = SCHEMA) -> Path:
    path.write_bytes(record(schema) + b"".join(record(t) for t in txns))
    return path


def test_replay_applies_inserts_diffs_and_deletes(tmp_path: Path) -> None:
    db = write_db(
        tmp_path / "nb.db",
        {
            "_date": 1,
            "_is_diff": True,
            "Logical_Switch": {
                LS: {"name": "sw", "ports": ["uuid", P1], "other_config": ["map", [["a", "1"]]]}
            },
            "Logical_Switch_Port": {P1: {"name": "p1", "addresses": "x", "tag": 7}},
        },
        {
            "_is_diff": True,
            "_comment": "add p2, change a, add b, drop x add y, retag",
            "Logical_Switch": {
                LS: {
                    "ports": ["uuid", P2],
                    "other_config": ["map", [["a", "2"], ["b", "3"]]],
                }
            },
            "Logical_Switch_Port": {
                P2: {"name": "p2"},
                P1: {"addresses": ["set", ["x", "y"]], "tag": 9},
            },
        },
        {"_is_diff": True, "Logical_Switch": {LS: {"other_config": ["map", [["b", "3"]]]}}},
        {
            "_is_diff": True,
            "Logical_Switch_Port": {P2: None},
            "Logical_Switch": {LS: {"ports": ["uuid", P2]}},
        },
    )
    nb = load_nb(str(db))
    (ls,) = nb.rows(r.LogicalSwitch)
    assert (ls.uuid, ls.name, ls.ports) == (LS, "sw", (P1,))
    assert dict(ls.other_config) == {"a": "2"}
    (p1,) = nb.rows(r.LogicalSwitchPort)
    assert (p1.name, p1.addresses, p1.tag, p1.type) == ("p1", ("y",), 9, "")


def test_non_diff_records_replace_values(tmp_path: Path) -> None:
    db = write_db(
        tmp_path / "old.db",
        {"Logical_Switch_Port": {P1: {"name": "p", "addresses": ["set", ["a", "b"]]}}},
        {"Logical_Switch_Port": {P1: {"addresses": "b"}}},
    )
    (port,) = load_nb(str(db)).rows(r.LogicalSwitchPort)
    assert port.addresses == ("b",)


def test_bad_header_names_record_and_offset(tmp_path: Path) -> None:
    good = record(SCHEMA)
    db = tmp_path / "bad.db"
    db.write_bytes(good + b"OVSDB JASON 10 abc\n{}\n")
    with pytest.raises(LoadError) as info:
        load_nb(str(db))
    assert str(info.value).startswith(
        f"{db}: record 1 at byte offset {len(good)}: bad record header"
    )


def test_truncated_record(tmp_path: Path) -> None:
    db = tmp_path / "short.db"
    db.write_bytes(record(SCHEMA)[:-100])
    with pytest.raises(LoadError, match=r"record 0 at byte offset 0: truncated record"):
        load_nb(str(db))


def test_bad_json(tmp_path: Path) -> None:
    body = b'{"Logical_Switch": {\n'
    db = tmp_path / "json.db"
    db.write_bytes(record(SCHEMA) + f"OVSDB JSON {len(body)} 0\n".encode() + body)
    with pytest.raises(LoadError, match=r"record 1 at byte offset \d+: bad JSON"):
        load_nb(str(db))


def test_bad_datum(tmp_path: Path) -> None:
    db = write_db(
        tmp_path / "datum.db", {"Logical_Switch_Port": {P1: {"addresses": ["bogus", 1, 2]}}}
    )
    with pytest.raises(LoadError, match=r"record 1 at byte offset \d+: bad row in table"):
        load_nb(str(db))


def test_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "text.db"
    db.write_text("hello\n")
    with pytest.raises(LoadError, match=r"record 0 at byte offset 0: bad record header"):
        load_nb(str(db))


def test_empty_file(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    with pytest.raises(LoadError, match="empty file"):
        load_nb(str(db))


def test_clustered_database_suggests_backup(tmp_path: Path) -> None:
    db = tmp_path / "clustered.db"
    db.write_bytes(b"OVSDB CLUSTER 123 abc\n{}\n")
    with pytest.raises(LoadError, match="clustered.*ovsdb-client backup"):
        load_nb(str(db))


def test_wrong_schema(tmp_path: Path) -> None:
    db = write_db(tmp_path / "vs.db", schema={**SCHEMA, "name": "Open_vSwitch"})
    with pytest.raises(LoadError) as info:
        load_nb(str(db))
    assert str(info.value) == f"{db}: not an OVN northbound database (schema Open_vSwitch)"
    with pytest.raises(LoadError, match="not an OVN southbound database"):
        load_runtime(str(db))


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_nb(str(tmp_path / "nope.db"))
    with pytest.raises(LoadError, match="is a directory"):
        load_nb(str(tmp_path))


def test_unreachable_remote() -> None:
    with pytest.raises(LoadError, match=r"^unix:/nonexistent/nb.sock: cannot connect"):
        load_nb("unix:/nonexistent/nb.sock")


def test_silent_remote_times_out() -> None:
    with tempfile.TemporaryDirectory(prefix="ovt-") as tmp:
        path = f"{tmp}/mute.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(path)
            listener.listen(1)  # accepts connections but never answers
            with pytest.raises(LoadError, match="timed out"):
                snapshot(f"unix:{path}", "OVN_Northbound", ["Logical_Switch"], timeout=0.5)
