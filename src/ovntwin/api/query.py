"""List queries: filters, tags filters, `fields`, sorting, `limit`/`marker` pagination.

Works on rendered views, so every resource gets the same behaviour (Neutron's api_common).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from ovntwin.api.attributes import to_bool
from ovntwin.api.errors import HTTPBadRequest
from ovntwin.api.resource import ResourceSpec, Values, convert_value

CONTROL = {"fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse"}
TAG_FILTERS = {"tags", "tags-any", "not-tags", "not-tags-any"}

Params = list[tuple[str, str]]


@dataclass(frozen=True)
class Page:
    items: list[Values]
    links: list[dict[str, str]]


def _values(params: Params, key: str) -> list[str]:
    return [v for k, v in params if k == key]


def _filters(spec: ResourceSpec, params: Params) -> dict[str, list[Any]]:
    wanted: dict[str, list[Any]] = {}
    for key, raw in params:
        if key in CONTROL or key in TAG_FILTERS:
            continue
        attr = spec.attr(key)
        if attr is None or not attr.filter:
            raise HTTPBadRequest(f"{key} is an invalid filter for {spec.singular}", "")
        if attr.match is None and attr.convert is not None:
            wanted.setdefault(key, []).append(convert_value(attr, raw))
        else:
            wanted.setdefault(key, []).append(raw)
    return wanted


def _wanted(spec: ResourceSpec, key: str, value: Any, allowed: list[Any]) -> bool:
    attr = spec.attr(key)
    if attr is not None and attr.match is not None:
        return any(attr.match(value, raw) for raw in allowed)
    return value in allowed


def _tag_match(params: Params, tags: list[str]) -> bool:
    def split(key: str) -> list[set[str]]:
        return [set(v.split(",")) for v in _values(params, key)]

    have = set(tags)
    return (
        all(s <= have for s in split("tags"))
        and all(s & have for s in split("tags-any"))
        and not any(s <= have for s in split("not-tags"))
        and not any(s & have for s in split("not-tags-any"))
    )


def _sort_spec(spec: ResourceSpec, params: Params) -> list[tuple[str, bool]]:
    keys, dirs = _values(params, "sort_key"), _values(params, "sort_dir")
    if dirs and len(keys) != len(dirs):
        raise HTTPBadRequest("The number of sort_keys and sort_dirs must be same")
    for key in keys:
        attr = spec.attr(key)
        if attr is None or not attr.sort:
            raise HTTPBadRequest(f"{key} is invalid attribute for sort_keys")
    for d in dirs:
        if d not in ("asc", "desc"):
            raise HTTPBadRequest(
                f"{d} is invalid value for sort_dirs, valid values are 'asc' and 'desc'"
            )
    order = [(k, (dirs[i] if dirs else "asc") == "desc") for i, k in enumerate(keys)]
    if "id" not in keys:  # a total order makes markers meaningful
        order.append(("id", False))
    return order


def _sorted(items: list[Values], order: list[tuple[str, bool]]) -> list[Values]:
    for key, reverse in reversed(order):
        # None sorts first ascending, as SQL NULLs do in SQLite
        items = sorted(items, key=lambda v: (v.get(key) is not None, v.get(key)), reverse=reverse)
    return items


def _limit(params: Params) -> int | None:
    raw = _values(params, "limit")
    if not raw:
        return None
    try:
        limit = int(raw[-1])
    except ValueError:
        limit = -1
    if limit < 0:
        raise HTTPBadRequest(f"Limit must be an integer 0 or greater and not '{raw[-1]}'")
    return limit or None  # limit=0 means no limit


def _link(base: str, params: Params, rel: str, marker: str, reverse: bool) -> dict[str, str]:
    kept = [(k, v) for k, v in params if k not in ("marker", "page_reverse")]
    kept.append(("marker", marker))
    if reverse:
        kept.append(("page_reverse", "True"))
    return {"rel": rel, "href": f"{base}?{urlencode(kept)}"}


def _page_reverse(params: Params) -> bool:
    raw = (_values(params, "page_reverse") or ["false"])[-1]
    try:
        return to_bool(raw)
    except ValueError as err:
        raise HTTPBadRequest(f"Invalid input for page_reverse. Reason: {err}.") from None


def _paginate(items: list[Values], params: Params, base: str) -> Page:
    limit = _limit(params)
    markers = _values(params, "marker")
    marker = markers[-1] if markers else None
    reverse = _page_reverse(params)
    ids = [v["id"] for v in items]
    if reverse:
        end = ids.index(marker) if marker in ids else len(items)
        start = max(0, end - limit) if limit else 0
    else:
        start = ids.index(marker) + 1 if marker in ids else 0
        end = start + limit if limit else len(items)
    page = items[start:end]
    links: list[dict[str, str]] = []
    if limit is not None and page:
        more_after, more_before = end < len(items), start > 0
        if more_after or (reverse and marker):
            links.append(_link(base, params, "next", page[-1]["id"], False))
        if more_before or (not reverse and marker):
            links.append(_link(base, params, "previous", page[0]["id"], True))
    return Page(page, links)


def select_fields(item: Values, fields: list[str]) -> Values:
    return {k: v for k, v in item.items() if k in fields} if fields else item


def run(spec: ResourceSpec, items: list[Values], params: Params, base: str) -> Page:
    wanted = _filters(spec, params)
    chosen = [
        v
        for v in items
        if all(_wanted(spec, k, v.get(k), allowed) for k, allowed in wanted.items())
        and _tag_match(params, v.get("tags", []))
    ]
    page = _paginate(_sorted(chosen, _sort_spec(spec, params)), params, base)
    fields = _values(params, "fields")
    return Page([select_fields(v, fields) for v in page.items], page.links)


def listing(spec: ResourceSpec, items: list[Values], request: Request) -> dict[str, Any]:
    """The list body for `request`'s query: `{plural: [...]}` plus `{plural}_links`."""
    base = str(request.url).split("?")[0]
    page = run(spec, items, list(request.query_params.multi_items()), base)
    out: dict[str, Any] = {spec.plural: page.items}
    if page.links:
        out[f"{spec.plural}_links"] = page.links
    return out
