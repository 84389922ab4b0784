"""Parsed YAML trees that may mix two files, and FILE:LINE errors for them.

A scenario variant patches its base (and may patch a topology that lives in another
file). `merge` deep-merges a patch over a base keeping, for every key and list item,
the line *and the file* it came from, so that an error found after merging still
points at the right place: `locate(root, path)` gives both. `SourcedReporter` is the
loaders' `Reporter` using it, and `check_schema` validates any tree against a JSON
Schema reporting the topmost problem as `FILE:LINE: message`.

Merge rules: mappings merge key by key; two lists whose items are all mappings with a
`name` merge item by item by name (new names are appended); anything else is
replaced by the patch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import jsonschema

from ovntwin.errors import LoadError
from ovntwin.loaders.yaml_lines import Reporter, YamlList, YamlMap, describe_path


class SourcedMap(YamlMap):
    """A merged mapping: `key_sources[k]` is the file key k's value came from."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.key_sources: dict[str, Path] = {}


class SourcedList(YamlList):
    """A merged list: `item_sources[i]` is the file item i came from."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.item_sources: list[Path] = []


def merge(base: Any, patch: Any, base_file: Path, patch_file: Path) -> Any:
    """`patch` deep-merged over `base` (neither is modified)."""
    if isinstance(base, YamlMap) and isinstance(patch, YamlMap):
        return _merge_maps(base, patch, base_file, patch_file)
    if _named_items(base) and _named_items(patch):
        return _merge_named(base, patch, base_file, patch_file)
    return patch


def _merge_maps(base: YamlMap, patch: YamlMap, base_file: Path, patch_file: Path) -> SourcedMap:
    out = SourcedMap(base.line)
    for key, value in base.items():
        out[key] = value
        out.key_lines[key] = base.key_lines[key]
        out.key_sources[key] = _key_source(base, key, base_file)
    for key, value in patch.items():
        source = _key_source(patch, key, patch_file)
        if key in out and _mergeable(out[key], value):
            out[key] = merge(out[key], value, out.key_sources[key], source)
            continue
        out[key] = value
        out.key_lines[key] = patch.key_lines[key]
        out.key_sources[key] = source
    return out


def _merge_named(base: YamlList, patch: YamlList, base_file: Path, patch_file: Path) -> Any:
    out = SourcedList(base.line)
    index: dict[Any, int] = {}
    for i, item in enumerate(base):
        index[item["name"]] = len(out)
        out.append(item)
        out.item_lines.append(base.item_lines[i])
        out.item_sources.append(_item_source(base, i, base_file))
    for i, item in enumerate(patch):
        source = _item_source(patch, i, patch_file)
        at = index.get(item["name"])
        if at is None:
            index[item["name"]] = len(out)
            out.append(item)
            out.item_lines.append(patch.item_lines[i])
            out.item_sources.append(source)
        else:
            out[at] = merge(out[at], item, out.item_sources[at], source)
    return out


def _mergeable(base: Any, patch: Any) -> bool:
    both_maps = isinstance(base, YamlMap) and isinstance(patch, YamlMap)
    return both_maps or (_named_items(base) and _named_items(patch))


def _named_items(value: Any) -> bool:
    return isinstance(value, YamlList) and all(
        isinstance(item, YamlMap) and "name" in item for item in value
    )


def _key_source(node: YamlMap, key: str, default: Path) -> Path:
    return node.key_sources.get(key, default) if isinstance(node, SourcedMap) else default


def _item_source(node: YamlList, i: int, default: Path) -> Path:
    return node.item_sources[i] if isinstance(node, SourcedList) else default


def locate(root: Any, path: Sequence[str | int], default: Path) -> tuple[Path, int]:
    """The file and line of the node at `path` (the deepest node reached)."""
    node, file, line = root, default, getattr(root, "line", 1)
    for step in path:
        if isinstance(node, YamlMap) and isinstance(step, str) and step in node:
            file, line = _key_source(node, step, file), node.key_lines[step]
            node = node[step]
        elif isinstance(node, YamlList) and isinstance(step, int) and 0 <= step < len(node):
            file, line = _item_source(node, step, file), node.item_lines[step]
            node = node[step]
        else:
            break
    return file, line


class SourcedReporter(Reporter):
    """A Reporter for a (possibly merged) tree whose nodes may come from several files."""

    def fail(self, where: Sequence[str | int], message: str) -> NoReturn:
        file, line = locate(self.root, where, self.path)
        raise LoadError(f"{file}:{line}: {message}")

    def at(self, where: Sequence[str | int]) -> str:
        """`FILE:LINE` of a node, for messages that point at a second place."""
        file, line = locate(self.root, where, self.path)
        return f"{file}:{line}" if file != self.path else f"line {line}"


def check_schema(schema: dict[str, Any], report: SourcedReporter) -> None:
    """Raise LoadError for the topmost violation of `schema` by the reporter's tree."""
    validator = jsonschema.Draft202012Validator(schema)
    problems = [_problem(report, err) for err in validator.iter_errors(report.root)]
    if not problems:
        return
    problems.sort(key=lambda p: (p[0] != report.path, p[1]))
    file, line, message = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    raise LoadError(f"{file}:{line}: {message}{more}")


def _problem(report: SourcedReporter, err: jsonschema.ValidationError) -> tuple[Path, int, str]:
    where = list(err.absolute_path)
    name = describe_path(where)
    node = err.instance
    if err.validator == "additionalProperties" and isinstance(node, YamlMap):
        allowed = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
        unknown = [k for k in node if k not in allowed]
        if unknown:
            file, line = locate(report.root, [*where, unknown[0]], report.path)
            return file, line, f"{name}: unknown key {unknown[0]!r}"
    file, line = locate(report.root, where, report.path)
    if err.validator == "required" and isinstance(node, YamlMap):
        line = node.line
    return file, line, f"{name}: {_short(err)}"


def _short(err: jsonschema.ValidationError) -> str:
    if err.validator == "type":
        expected = err.validator_value
        kinds = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"{err.instance!r} is not of type {kinds}"
    if err.validator == "enum":
        choices: Any = err.validator_value
        return f"{err.instance!r} is not one of {', '.join(map(str, choices))}"
    return err.message
