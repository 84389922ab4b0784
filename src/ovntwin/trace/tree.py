"""The trace tree: what ovn-trace builds while following a packet, before printing.

Node kinds mirror ovn-trace's: pipelines and transformations are titled sections,
tables carry the matching flow, actions are the re-formatted actions, outputs and
errors are notes, and modify nodes record the visible packet changes that only the
minimal printer shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class NodeKind(Enum):
    PIPELINE = "pipeline"
    TABLE = "table"
    ACTION = "action"
    OUTPUT = "output"
    MODIFY = "modify"
    TRANSFORMATION = "transformation"
    ERROR = "error"

    @property
    def is_leafish(self) -> bool:
        """Kinds that ovn-trace indents one level under their parent in detailed output."""
        return self in (NodeKind.ACTION, NodeKind.OUTPUT, NodeKind.MODIFY, NodeKind.ERROR)

    @property
    def is_title(self) -> bool:
        return self in (NodeKind.PIPELINE, NodeKind.TRANSFORMATION)


@dataclass(slots=True, eq=False)
class Node:
    """One trace node. Mutable while the interpreter grows the tree, then left alone."""

    kind: NodeKind
    text: str
    children: list[Node] = field(default_factory=list)
    always_indent: bool = False
    info: dict[str, Any] = field(default_factory=dict)  # structured facts for JSON

    def add(self, kind: NodeKind, text: str, **info: Any) -> Node:
        node = Node(kind, text, info=dict(info))
        self.children.append(node)
        return node

    def copy(self) -> Node:
        return Node(
            self.kind, self.text, [c.copy() for c in self.children], self.always_indent, self.info
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "text": self.text}
        if self.info:
            out["info"] = dict(self.info)
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


def spliced(nodes: list[Node], drop: frozenset[NodeKind]) -> list[Node]:
    """Copies of `nodes` with every node of a kind in `drop` replaced by its children."""
    out: list[Node] = []
    for node in nodes:
        kids = spliced(node.children, drop)
        if node.kind in drop:
            out.extend(kids)
        else:
            out.append(Node(node.kind, node.text, kids, node.always_indent, node.info))
    return out
