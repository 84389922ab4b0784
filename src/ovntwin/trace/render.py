"""The three ovn-trace printers (detailed, summary, minimal) and `--all`."""

from __future__ import annotations

from collections.abc import Sequence

from ovntwin.trace.tree import Node, NodeKind, spliced

MODES = ("detailed", "summary", "minimal")
_BANNERS = {"detailed": "# Detailed trace.\n", "summary": "# Summary trace.\n",
            "minimal": "# Minimal trace.\n"}  # fmt: skip
_SUMMARY_DROP = frozenset({NodeKind.MODIFY, NodeKind.TABLE})
_MINIMAL_DROP = frozenset({NodeKind.ACTION, NodeKind.PIPELINE, NodeKind.TABLE, NodeKind.OUTPUT})


def render_tree(header: str, roots: Sequence[Node], mode: str) -> str:
    """Full ovn-trace output: `# <flow>` line, then the sections asked for.

    `mode` is one of MODES, "all", or several joined by "+" (e.g. "summary+minimal");
    sections always come in ovn-trace's order, each under a banner when there are two
    or more.
    """
    wanted = set(MODES if mode == "all" else mode.split("+"))
    modes = tuple(m for m in MODES if m in wanted)
    if not modes or wanted - set(MODES):
        raise ValueError(f"unknown trace mode {mode!r}")
    parts = [f"# {header}\n"]
    for m in modes:
        if len(modes) > 1:
            parts.append(_BANNERS[m])
        parts.append(render_section(roots, m))
    return "".join(parts)


def render_section(roots: Sequence[Node], mode: str) -> str:
    lines: list[str] = []
    if mode == "detailed":
        _detailed(list(roots), 0, lines)
    elif mode == "summary":
        _summary(spliced(list(roots), _SUMMARY_DROP), 0, lines)
    else:
        _summary(spliced(list(roots), _MINIMAL_DROP), 0, lines)
    return "".join(line + "\n" for line in lines)


def _detailed(nodes: list[Node], level: int, lines: list[str]) -> None:
    for node in nodes:
        if node.kind is NodeKind.MODIFY:
            continue
        # ovn-trace's "more" looks at the raw sibling list, modify nodes included.
        more = node is not nodes[-1] or node.always_indent or node.kind.is_leafish
        pad = " " * ((level + more) * 4)
        if node.kind.is_title:
            lines.append("")
        lines.append(pad + node.text)
        if node.kind.is_title:
            lines.append(pad + "-" * len(node.text))
        _detailed(node.children, level + 2 * more, lines)


def _summary(nodes: list[Node], level: int, lines: list[str]) -> None:
    pad = " " * (level * 4)
    for node in nodes:
        if node.kind is NodeKind.ACTION and node.text.startswith("next("):
            continue
        end = "" if node.kind is NodeKind.ACTION else ";"
        if node.children:
            lines.append(pad + node.text + " {")
            _summary(node.children, level + 1, lines)
            lines.append(pad + "}" + end)
        else:
            lines.append(pad + node.text + end)
