"""The crawl's bookkeeping as dlt's resource state stores it: compact, and read back exactly.

dlt keeps a full compressed copy of the pipeline state with every load that changes it, so the
bookkeeping of an index of every completed date (about 13,000) and every receipt partition (about
45,000) must be small. The crawl works on plain dicts (one per partition, one per completed date, see
:mod:`ttb_cola.probe.plan` and :mod:`ttb_cola.search.plan`); what is stored is:

- ``partitions``: partition key -> its dict, or, for a partition without an error, one line of text
  (:func:`pack_partition`) with its holes, unanswered sequences and fetch days as ranges;
- ``settled``: the settled partitions with nothing left to re-check, by column (:func:`pack_settled`);
- ``searches``: completed date -> its dict, for dates not yet complete, failed, or still provisional;
- ``searched``: the complete dates, as runs of consecutive days searched on the same run date (and
  alike listed with or without pages), keyed by the run's first day (:func:`pack_searches`): the date
  of the search, each day's reported total (and its listed count where it differs), which the daily
  re-verification of complete days sums, and ``none`` for days listed without pages.

Packing is lossless: an entry is packed only when :func:`unpack_partition` / :func:`unpack_searches`
give it back equal, so a compacted state makes exactly the decisions of the full one. Every reader
of the stored state goes through :func:`crawl_view`; the source unpacks at the start of a run
(:func:`unpacked`) and packs at its end (:func:`packed`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ttb_cola.probe.plan import decode_ranges, encode_ranges

#: Resource state key of the packed complete completed dates.
SEARCHED = "searched"
#: Resource state key of the packed settled partitions, stored by column.
SETTLED = "settled"
_STATUS = {"open": "o", "settled": "s"}
_STATUS_OF = {v: k for k, v in _STATUS.items()}
_PARTITION_KEYS = ("highest", "holes", "public", "probed", "status", "last_checked", "last_run", "last_error",
                   "fetched", "unanswered")
_SEARCH_KEYS = {"status", "reported_total", "listed", "last_run", "last_error"}


def pack_partition(state: dict[str, Any]) -> str | dict[str, Any]:
    """A partition's state as one line of text, or the dict itself when it cannot be packed exactly
    (an error, a key or a value the line has no room for)."""
    if set(state) != set(_PARTITION_KEYS) or state["status"] not in _STATUS or state["last_error"] is not None:
        return state
    try:
        fetched = ";".join(f"{day}={text}" for day, text in state["fetched"].items())
        line = "|".join([
            str(state["highest"]), str(state["public"]), str(state["probed"]), _STATUS[state["status"]],
            state["last_checked"] or "", state["last_run"] or "", encode_ranges(state["holes"]),
            encode_ranges(state["unanswered"]), fetched,
        ])
        return line if unpack_partition(line) == state else state
    except (TypeError, ValueError, AttributeError):
        return state


def unpack_partition(value: str | dict[str, Any]) -> dict[str, Any]:
    """The partition's state dict from what :func:`pack_partition` stored (a dict: itself)."""
    if isinstance(value, dict):
        return value
    highest, public, probed, status, checked, run, holes, unanswered, fetched = value.split("|")
    return {
        "highest": int(highest), "holes": sorted(decode_ranges(holes)), "public": int(public),
        "probed": int(probed), "status": _STATUS_OF[status], "last_checked": checked or None,
        "last_run": run or None, "last_error": None,
        "fetched": dict(part.split("=", 1) for part in fetched.split(";")) if fetched else {},
        "unanswered": sorted(decode_ranges(unanswered)),
    }


def _packable_search(state: Any) -> bool:
    listed_only = isinstance(state, dict) and state.get("pages") == "none"
    keys = _SEARCH_KEYS | {"pages"} if listed_only else _SEARCH_KEYS
    return (isinstance(state, dict) and set(state) == keys and state["status"] == "complete"
            and state["last_error"] is None and isinstance(state["last_run"], str) and "|" not in state["last_run"]
            and all(type(state[k]) is int and state[k] >= 0 for k in ("reported_total", "listed")))


def pack_searches(searches: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Split completed dates' states into those kept as dicts and runs of packed complete days.

    A run is consecutive complete days searched on the same run date (``last_run``), no error, no
    provisional pages: ``{first day: "last_run|total,total:listed,..."}``, with ``|none`` after the
    totals when the days were listed without pages (``pages = none``).
    """
    kept: dict[str, Any] = {}
    runs: dict[str, str] = {}
    start: str | None = None
    previous: date | None = None
    last_run: str | None = None
    listed_only = False
    totals: list[str] = []

    def close() -> None:
        if start is not None:
            runs[start] = f"{last_run}|{','.join(totals)}" + ("|none" if listed_only else "")

    for day in sorted(searches):
        state = searches[day]
        try:
            current = date.fromisoformat(day)
        except (TypeError, ValueError):
            kept[day] = state
            continue
        if not _packable_search(state) or current.isoformat() != day:
            kept[day] = state
            continue
        total, listed = state["reported_total"], state["listed"]
        pages_none = state.get("pages") == "none"
        if (previous is None or current != previous + timedelta(days=1) or state["last_run"] != last_run
                or pages_none != listed_only):
            close()
            start, last_run, totals, listed_only = day, state["last_run"], [], pages_none
        totals.append(str(total) if listed == total else f"{total}:{listed}")
        previous = current
    close()
    return kept, runs


def unpack_searches(kept: dict[str, Any], runs: dict[str, str]) -> dict[str, Any]:
    """Every completed date's state dict from :func:`pack_searches`'s two parts."""
    searches: dict[str, Any] = {}
    for first, line in runs.items():
        last_run, totals, *flags = line.split("|")
        day = date.fromisoformat(first)
        for n, text in enumerate(totals.split(",")):
            total, _, listed = text.partition(":")
            state = searches[(day + timedelta(days=n)).isoformat()] = {
                "status": "complete", "reported_total": int(total), "listed": int(listed or total),
                "last_run": last_run, "last_error": None,
            }
            if "none" in flags:
                state["pages"] = "none"
    searches.update(kept)
    return searches


def pack_settled(partitions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split packed partitions into those kept as they are and a block of the settled ones (no holes
    nor unanswered sequences left), stored by column (most of an index: each column compresses
    well): their receipt dates per method as ranges of day numbers, and per partition in that order
    the highest sequence, how many fewer are public, how many more were probed, the days from
    receipt to the last check, the last run and the fetch days."""
    kept: dict[str, Any] = {}
    rows: dict[str, dict[int, list[str]]] = {}
    for key, value in partitions.items():
        parts = value.split("|") if isinstance(value, str) else []
        if len(parts) != 9 or parts[3] != _STATUS["settled"] or any(parts[6:8]) or not parts[4]:
            kept[key] = value
            continue
        day, _, method = key.partition("|")
        try:
            receipt = date.fromisoformat(day)
            highest, public, probed = int(parts[0]), int(parts[1]), int(parts[2])
            checked = (date.fromisoformat(parts[4]) - receipt).days
        except ValueError:
            kept[key] = value
            continue
        if f"{receipt.isoformat()}|{method}" != key or " " in parts[5] + parts[8] or not method.isdigit():
            kept[key] = value
            continue
        rows.setdefault(method, {})[receipt.toordinal()] = [
            str(highest), str(highest - public), str(probed - highest), str(checked), parts[5], parts[8]]
    block: dict[str, Any] = {"days": {}, "columns": []}
    columns: list[list[str]] = [[], [], [], [], [], []]
    for method in sorted(rows):
        block["days"][method] = encode_ranges(list(rows[method]))
        for ordinal in sorted(rows[method]):
            for column, text in zip(columns, rows[method][ordinal], strict=True):
                column.append(text)
    block["columns"] = [" ".join(column) for column in columns]
    if not rows:
        return kept, {}
    if _unpack_settled(block) != {k: v for k, v in partitions.items() if k not in kept}:
        return partitions, {}
    return kept, block


def _unpack_settled(block: dict[str, Any]) -> dict[str, str]:
    """The packed partition lines of :func:`pack_settled`'s block."""
    if not block:
        return {}
    columns = [text.split(" ") for text in block["columns"]]
    lines: dict[str, str] = {}
    n = 0
    for method in sorted(block["days"]):
        for ordinal in sorted(decode_ranges(block["days"][method])):
            receipt = date.fromordinal(ordinal)
            highest, gap, extra, checked, run, fetched = (column[n] for column in columns)
            top = int(highest)
            lines[f"{receipt.isoformat()}|{method}"] = "|".join([
                highest, str(top - int(gap)), str(top + int(extra)), _STATUS["settled"],
                (receipt + timedelta(days=int(checked))).isoformat(), run, "", "", fetched,
            ])
            n += 1
    return lines


def crawl_view(crawl: dict[str, Any]) -> dict[str, Any]:
    """The crawl's resource state with ``partitions`` and ``searches`` as full dicts (a new dict;
    ``crawl`` as stored, packed or not, is left as it is)."""
    view = {key: value for key, value in crawl.items() if key not in (SEARCHED, SETTLED)}
    stored = {**_unpack_settled(crawl.get(SETTLED) or {}), **(crawl.get("partitions") or {})}
    view["partitions"] = {key: unpack_partition(value) for key, value in stored.items()}
    view["searches"] = unpack_searches(crawl.get("searches") or {}, crawl.get(SEARCHED) or {})
    return view


def unpacked(resource_state: dict[str, Any]) -> None:
    """Unpack ``resource_state`` in place: full dicts for the run to work on (and to keep, should the
    run end before :func:`packed`)."""
    view = crawl_view(resource_state)
    resource_state["partitions"] = view["partitions"]
    resource_state["searches"] = view["searches"]
    resource_state.pop(SEARCHED, None)
    resource_state.pop(SETTLED, None)


def packed(resource_state: dict[str, Any]) -> None:
    """Pack ``resource_state`` in place (see the module docstring): what the load stores."""
    view = crawl_view(resource_state)
    resource_state["partitions"], resource_state[SETTLED] = pack_settled(
        {key: pack_partition(value) for key, value in view["partitions"].items()})
    kept, runs = pack_searches(view["searches"])
    resource_state["searches"] = kept
    resource_state[SEARCHED] = runs
