"""Saved searches (a TOML file of named searches in the API's filters) are the watchlist a user names: the
API's ``/watchlist``, the digest and the alerts all give, for each saved search, exactly the COLAs the
API's ``GET /colas`` answers for the same filters; the ``watchlist`` setting names the file when no option
does; a malformed file stops every command with its line, writing nothing."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import duckdb
import httpx
import pytest
from digest_helpers import sheet_rows
from ports import free_port
from serve_helpers import DAY, ROOT, TODAY, TTB_COLA, running_api

from ttb_cola.cli import main


def _searches(published) -> dict[str, dict[str, str]]:
    """Three saved searches drawn from the loaded COLAs: a permit and a status, a full-text word, a
    class/type pattern with an approval date."""
    rows = published.rows("select permit_number, brand_name from marts.fct_cola_approvals")
    [(permit, _)] = Counter(r["permit_number"] for r in rows if r["permit_number"]).most_common(1)
    words = Counter(word for r in rows for word in re.findall(r"[A-Za-z]{5,}", r["brand_name"] or ""))
    word = words.most_common(1)[0][0].lower()
    return {
        "Top filer, approved": {"permit": permit.lower(), "status": "approved"},
        "A word": {"q": word},
        "Wine since the day": {"class_type": "%wine%", "approved_from": DAY.isoformat()},
    }


def _toml(searches: dict[str, dict[str, str]]) -> str:
    out = ["# saved searches of the test"]
    for name, filters in searches.items():
        out += ["", "[[search]]", f'name = "{name}"']
        # a date may be written as a TOML date: the approval date is
        out += [f"{key} = {value}" if key == "approved_from" else f'{key} = "{value}"'
                for key, value in filters.items()]
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def saved(published, tmp_path_factory) -> tuple[Path, set[tuple[str, str]]]:
    """The saved-search file and its expected (search, TTB ID) pairs, as `GET /colas` answers each search."""
    searches = _searches(published)
    path = tmp_path_factory.mktemp("saved") / "searches.toml"
    path.write_text(_toml(searches), encoding="utf-8")
    expected: set[tuple[str, str]] = set()
    with running_api(published, published.watchlist) as api:
        for name, filters in searches.items():
            page = httpx.get(f"{api}/colas", params={**filters, "limit": "500"}, timeout=30).json()
            assert 0 < page["total"] <= 500, (name, page.get("total"))
            expected |= {(name, cola["ttb_id"]) for cola in page["colas"]}
    [(permit, _)] = [(f["permit"], 0) for f in searches.values() if "permit" in f]
    assert {t for n, t in expected if n == "Top filer, approved"} == {r["ttb_id"] for r in published.rows(
        "select ttb_id from marts.fct_cola_approvals where permit_number = upper(?) and status = 'APPROVED'",
        [permit])}
    return path, expected


def test_the_api_serves_the_saved_searches_matches(published, saved) -> None:
    path, expected = saved
    with running_api(published, path) as api:
        body = httpx.get(f"{api}/watchlist", timeout=30).json()
    assert body["entries"] == ["Top filer, approved", "A word", "Wine since the day"]
    assert {(m["entry_name"], m["ttb_id"]) for m in body["matches"]} == expected


def test_the_digest_shows_the_saved_searches_matches(published, saved, tmp_path) -> None:
    path, expected = saved
    out = tmp_path / "digest"
    assert main(["digest", "--duckdb", str(published.path), "--since", DAY.isoformat(), "--until", TODAY.isoformat(),
                 "--today", TODAY.isoformat(), "--watchlist", str(path), "--out", str(out)]) == 0
    approved = {r["ttb_id"] for r in published.rows(
        "select ttb_id from marts.fct_cola_approvals where approval_date between ? and ?", [DAY, TODAY])}
    shown = {(row["entry"], row["ttb_id"]) for row in sheet_rows(out / "digest.xlsx", "Watchlist matches")}
    assert shown and shown == {(name, ttb_id) for name, ttb_id in expected if ttb_id in approved}


def test_alerts_from_the_configured_saved_searches(published, saved, tmp_path, monkeypatch) -> None:
    path, expected = saved
    monkeypatch.setenv("SOURCES__TTB_COLA__WATCHLIST", str(path))  # the `watchlist` setting, no option
    log = tmp_path / "alerts.duckdb"
    assert main(["alerts", "--duckdb", str(published.path), "--sent-log", str(log),
                 "--feed", str(tmp_path / "feed.xml")]) == 0
    with duckdb.connect(str(log), read_only=True) as con:
        sent = set(con.execute("select entry_name, ttb_id from sent_alerts where channel = 'feed'").fetchall())
    assert sent == expected


def test_full_text_needs_the_published_file(published, saved, tmp_path, capsys) -> None:
    path, _ = saved
    out = tmp_path / "digest"
    assert main(["digest", "--duckdb", str(published.warehouse), "--since", DAY.isoformat(), "--until",
                 TODAY.isoformat(), "--watchlist", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'A word' uses q" in err and not out.exists()


def test_a_malformed_saved_search_stops_every_command_naming_its_line(published, saved, tmp_path, capsys) -> None:
    path, _ = saved
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("status ="))
    lines[at] = 'status = "pending"'
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    want = f"bad.toml line {at + 1}: entry 'Top filer, approved': status must be one of"
    out, log = tmp_path / "digest", tmp_path / "alerts.duckdb"
    assert main(["digest", "--duckdb", str(published.path), "--watchlist", str(bad), "--out", str(out)]) == 2
    assert main(["alerts", "--duckdb", str(published.path), "--watchlist", str(bad), "--sent-log", str(log),
                 "--feed", str(tmp_path / "feed.xml")]) == 2
    for err in capsys.readouterr().err.splitlines():
        assert want in err
    assert not out.exists() and not log.exists() and not (tmp_path / "feed.xml").exists()
    served = subprocess.run([TTB_COLA, "serve", "--duckdb", str(published.path), "--port", str(free_port()),
                             "--watchlist", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert served.returncode == 2 and served.stderr.count("\n") == 1 and want in served.stderr
