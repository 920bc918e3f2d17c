"""The published marts file roots the image store's relative paths, so analysts open images from anywhere."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ttb_cola.destinations.local_marts import publish_marts_file
from ttb_cola.serve.search_index import serving_tables


def test_publish_makes_relative_image_paths_absolute_and_keeps_urls(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "analytics.duckdb"
    urls = ["data/images/ab/ab12.png", "s3://bucket/lake/images/cd/cd34.jpg", "/srv/images/ef/ef56.png", None]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_cola_images (label_image_id varchar, image_url varchar)")
        con.executemany("insert into marts.fct_cola_images values (?, ?)", [[str(i), u] for i, u in enumerate(urls)])
    monkeypatch.chdir(tmp_path)
    assert publish_marts_file(warehouse, published, serving_tables) == {"marts.fct_cola_images": 4}
    with duckdb.connect(str(published), read_only=True) as con:
        got = [u for (u,) in con.execute("select image_url from marts.fct_cola_images order by label_image_id")
               .fetchall()]
    assert got == [f"{tmp_path.resolve()}/data/images/ab/ab12.png", *urls[1:]]
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the warehouse itself is left as dbt built it
        assert con.execute("select image_url from marts.fct_cola_images where label_image_id = '0'").fetchone() \
            == ("data/images/ab/ab12.png",)
