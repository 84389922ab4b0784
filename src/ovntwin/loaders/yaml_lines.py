"""YAML parsing that remembers where every node came from.

`parse_yaml` returns plain data built from `YamlMap` (a dict) and `YamlList` (a
list) that also record the 1-based line of themselves, of each key and of each item,
so that any later check can report `FILE:LINE: what is wrong`. Two YAML traps are
closed on the way: mapping keys are always the key's source text (so `yes:` or `1:`
stay strings), and colon-separated numbers that YAML 1.1 would read in base 60 (MACs
such as 52:54:00:00:00:01) stay strings. Duplicate keys are errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ovntwin.errors import LoadError


class YamlMap(dict[str, Any]):
    """A YAML mapping; `line` is where it starts, `key_lines[k]` where key k is."""

    line: int = 1

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class YamlList(list[Any]):
    """A YAML sequence; `line` is where it starts, `item_lines[i]` where item i starts."""

    line: int = 1

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose maps and lists are YamlMap / YamlList (see module docstring)."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Iterator[YamlMap]:
    data = YamlMap(node.start_mark.line + 1)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise _NodeError(line, "a mapping key must be a plain scalar")
        key = str(key_node.value)
        if key in data:
            raise _NodeError(line, f"duplicate key {key!r} (first at line {data.key_lines[key]})")
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Iterator[YamlList]:
    data = YamlList(node.start_mark.line + 1)
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int | str:
    if ":" in str(node.value):  # YAML 1.1 base-60 integer: almost surely a MAC
        return str(node.value)
    return int(loader.construct_yaml_int(node))


def _construct_float(loader: _LineLoader, node: yaml.ScalarNode) -> float | str:
    if ":" in str(node.value):
        return str(node.value)
    return float(loader.construct_yaml_float(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _NodeError(Exception):
    """Internal: a constructor found a problem at a line (turned into LoadError)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_yaml(path: Path) -> Any:
    """The document in `path`, built of YamlMap / YamlList / scalars."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LoadError(f"{path}: cannot read: {err}") from None
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except _NodeError as err:
        raise LoadError(f"{path}:{err.line}: {err.message}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise LoadError(f"{path}:{line}: YAML syntax error: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise LoadError(f"{path}:1: YAML error: {err}") from None
    finally:
        loader.dispose()


def line_of(root: Any, path: Sequence[str | int]) -> int:
    """The line of the node at `path` (keys / indexes from the root).

    A map entry is reported at its key's line, a list item where it starts; if the
    path leaves the recorded tree, the deepest node reached is used.
    """
    node, line = root, getattr(root, "line", 1)
    for step in path:
        if isinstance(node, YamlMap) and isinstance(step, str) and step in node:
            line, node = node.key_lines[step], node[step]
        elif isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node):
            line, node = node.item_lines[step], node[step]
        else:
            break
    return line


def describe_path(path: Sequence[str | int]) -> str:
    """`switches[0].ports[2].tag` for ("switches", 0, "ports", 2, "tag")."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(top level)"


class Reporter:
    """Raises LoadError for a node of one parsed file, as `FILE:LINE: message`."""

    def __init__(self, path: Path, root: Any) -> None:
        self.path = path
        self.root = root

    def line(self, where: Sequence[str | int]) -> int:
        return line_of(self.root, where)

    def fail(self, where: Sequence[str | int], message: str) -> NoReturn:
        raise LoadError(f"{self.path}:{self.line(where)}: {message}")
