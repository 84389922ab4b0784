"""Neutron API calls at simulated times, their notifications applied by per-chassis agents.

A replay file (docs/qos-service.md) names a fabric scenario (its fabric, placement and
traffic; its own `qos-*` events are replaced by the calls) and lists API calls:

    scenario: qos-bandwidth-limit.yaml
    agent: {driver: ovn, delay_ms: 2}
    api:
      - {at_s: 10, method: PUT, path: "/v2.0/ports/{vm2}",
         body: {port: {qos_policy_id: "{policy}"}}}

`as: NAME` keeps the id of what a call answers; `{NAME}` in a path or a body string is
replaced by it. When the simulated clock reaches a call, it goes to the server (a
`Transport`: HTTP or an in-process app), then the server's new notifications
(`GET /ovntwin/notifications?since=N`) go on an in-process bus to one agent per chassis,
whose driver changes the fabric `delay_ms` later (fabric/qos_runtime.py). The server's
state before the first call is read the same way at t=0 (an agent's full sync).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from ovntwin.agents.agent import ChassisAgent
from ovntwin.agents.drivers import OvnDriver, OvsDriver, QosDriver
from ovntwin.agents.fabric_target import FabricTarget
from ovntwin.errors import LoadError, OvnTwinError
from ovntwin.fabric.engine import Engine, Progress
from ovntwin.fabric.load import load_scenario
from ovntwin.fabric.qos_runtime import PortQos
from ovntwin.fabric.results import Results
from ovntwin.fabric.scenario import QoSEvent, Scenario
from ovntwin.loaders.yaml_lines import YamlList, YamlMap, parse_yaml
from ovntwin.model import rows as r
from ovntwin.neutron.notify import InProcessBus, Notification

US = {"at_s": 1_000_000, "at_ms": 1_000, "at_us": 1}
METHODS = ("GET", "POST", "PUT", "DELETE")
NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
NOTIFICATIONS = "/ovntwin/notifications"


class ReplayError(OvnTwinError):
    """A replay file that cannot be run, or an API call the server refused."""


class Transport(Protocol):
    def request(self, method: str, path: str, body: Any | None) -> tuple[int, Any]:
        """(status, JSON body or None)."""
        ...


@dataclass(frozen=True, slots=True)
class ApiCall:
    at_us: int
    method: str
    path: str
    body: Any
    name: str | None  # `as:` - keep the answer's id under this name
    where: str  # FILE:LINE


@dataclass(frozen=True, slots=True)
class ReplaySpec:
    source: str
    scenario: Path
    variant: str | None
    until_us: int | None
    driver: str  # ovn | ovs
    delay_us: int
    calls: tuple[ApiCall, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One call as it ran, and the QoS the agents hold right after its notifications."""

    at_us: int
    method: str
    path: str
    status: int
    notifications: int
    ovn_rows: Mapping[str, tuple[r.QoS, ...]]  # port id -> ML2/OVN's rows (OVN driver)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    scenario: Scenario
    results: Results
    steps: tuple[Step, ...]
    changes: tuple[tuple[int, PortQos], ...]  # (simulated µs it took effect, change)
    notifications: tuple[Notification, ...]


# -- the file --------------------------------------------------------------------------


def is_replay(path: str | Path) -> bool:
    doc = parse_yaml(Path(path))
    return isinstance(doc, YamlMap) and "api" in doc and "scenario" in doc


def load_replay(path: str | Path) -> ReplaySpec:
    file = Path(path)
    doc = parse_yaml(file)
    if not isinstance(doc, YamlMap) or not isinstance(doc.get("scenario"), str):
        raise LoadError(f"{file}:1: a replay names its `scenario:` file and lists `api:` calls")
    agent = doc.get("agent") or {}
    driver = str(agent.get("driver", "ovn"))
    if driver not in ("ovn", "ovs"):
        raise LoadError(f"{file}:{doc.key_lines.get('agent', 1)}: agent driver is ovn or ovs")
    calls = doc.get("api")
    if not isinstance(calls, YamlList):
        raise LoadError(f"{file}:{doc.line}: `api:` is a list of calls")
    until = doc.get("until_s")
    return ReplaySpec(
        source=str(file), scenario=(file.parent / doc["scenario"]).resolve(),
        variant=doc.get("variant"), until_us=None if until is None else _us(until, 1_000_000),
        driver=driver, delay_us=_us(agent.get("delay_ms", 0), 1_000),
        calls=tuple(_call(file, calls.item_lines[i], c) for i, c in enumerate(calls)),
    )  # fmt: skip


def _us(value: Any, scale: int) -> int:
    return round(float(value) * scale)


def _call(file: Path, line: int, item: Any) -> ApiCall:
    where = f"{file}:{line}"
    if not isinstance(item, YamlMap):
        raise LoadError(f"{where}: a call is a mapping (at_s, method, path, body, as)")
    times = [k for k in US if k in item]
    if len(times) != 1:
        raise LoadError(f"{where}: give exactly one of at_s, at_ms, at_us")
    method = str(item.get("method", "")).upper()
    if method not in METHODS:
        raise LoadError(f"{where}: method must be one of {', '.join(METHODS)}")
    path = item.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise LoadError(f"{where}: path must be an absolute API path (/v2.0/...)")
    at = _us(item[times[0]], US[times[0]])
    if at < 0:
        raise LoadError(f"{where}: {times[0]} must not be negative")
    name = item.get("as")
    return ApiCall(at, method, path, item.get("body"), None if name is None else str(name), where)


# -- the run ---------------------------------------------------------------------------


def make_driver(kind: str, target: FabricTarget) -> QosDriver:
    return OvnDriver(target) if kind == "ovn" else OvsDriver(target)


@dataclass(eq=False)
class Replay:
    spec: ReplaySpec
    transport: Transport
    names: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    seen: list[Notification] = field(default_factory=list)
    last: int = 0

    def __post_init__(self) -> None:
        base = load_scenario(self.spec.scenario, self.spec.variant)
        events = tuple(e for e in base.events if not isinstance(e, QoSEvent))
        until = self.spec.until_us or base.until_us
        name = Path(self.spec.source).stem  # results and plots name the replay
        self.scenario = replace(base, name=name, events=events, until_us=until)
        self.engine = Engine(self.scenario)
        self.target = FabricTarget(self.engine, self.spec.delay_us)
        self.bus = InProcessBus()
        self.agents = {
            c.name: ChassisAgent(c.name, make_driver(self.spec.driver, self.target))
            for c in self.scenario.fabric.chassis
        }
        for agent in self.agents.values():
            agent.subscribe(self.bus)

    def run(self, progress: Progress | None = None) -> ReplayResult:
        started = time.perf_counter()
        until = self.scenario.until_us
        self.poll()  # the server's state before t=0 (an agent's full sync)
        for call in self.spec.calls:
            if call.at_us < until:  # a call at or after the end never happens
                self.engine.later(call.at_us, _bound(self.fire, call))
        self.engine.run(until, progress)
        results = self.engine.results(until, time.perf_counter() - started)
        return ReplayResult(self.scenario, results, tuple(self.steps),
                            tuple(self.target.log), tuple(self.seen))  # fmt: skip

    def fire(self, call: ApiCall) -> None:
        path = self.resolve(call.path, call)
        body = self.resolve(call.body, call)
        status, answer = self.transport.request(call.method, path, body)
        if status >= 400:
            raise ReplayError(f"{call.where}: {call.method} {path} -> {status}: {_message(answer)}")
        if call.name is not None:
            self.names[call.name] = _id_of(answer, call)
        count = self.poll()
        step = Step(int(self.engine.env.now), call.method, path, status, count, self.ovn_rows())
        self.steps.append(step)

    def poll(self) -> int:
        """Hand the server's new notifications to the agents; how many there were."""
        count = 0
        while True:
            status, doc = self.transport.request("GET", f"{NOTIFICATIONS}?since={self.last}", None)
            if status != 200 or not isinstance(doc, dict):
                raise ReplayError(f"GET {NOTIFICATIONS} -> {status}: {_message(doc)}")
            notes = [Notification.from_dict(n) for n in doc.get("notifications", [])]
            if not notes:
                return count
            for note in notes:
                self.seen.append(note)
                self.bus.publish(note)
            count += len(notes)
            self.last = notes[-1].seq

    def ovn_rows(self) -> dict[str, tuple[r.QoS, ...]]:
        out: dict[str, tuple[r.QoS, ...]] = {}
        for agent in self.agents.values():
            if isinstance(agent.driver, OvnDriver):
                out.update({p: tuple(rows) for p, rows in agent.driver.rows.items()})
        return out

    def resolve(self, value: Any, call: ApiCall) -> Any:
        if isinstance(value, str):
            return NAME.sub(lambda m: self._name(m.group(1), call), value)
        if isinstance(value, dict):
            return {k: self.resolve(v, call) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, call) for v in value]
        return value

    def _name(self, name: str, call: ApiCall) -> str:
        if name not in self.names:
            known = ", ".join(sorted(self.names)) or "none yet"
            raise ReplayError(f"{call.where}: unknown name {{{name}}} (known: {known})")
        return self.names[name]


def _id_of(answer: Any, call: ApiCall) -> str:
    if isinstance(answer, dict) and len(answer) == 1:
        (obj,) = answer.values()
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            return str(obj["id"])
    raise ReplayError(f"{call.where}: `as: {call.name}` but the answer carries no id")


def _message(answer: Any) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("NeutronError"), dict):
        err = answer["NeutronError"]
        return f"{err.get('type')}: {err.get('message')}"
    return repr(answer)[:200]


def _bound(fn: Callable[[ApiCall], None], call: ApiCall) -> Callable[[], None]:
    return lambda: fn(call)
