"""``ttb-cola ocr``: read the text of stored label images and extract alcohol, net contents, vintage, age.

Takes the destination's lock, plans from the crawl's dataset (:mod:`ttb_cola.ocr.select`), reads
(:mod:`ttb_cola.ocr.read`) with one engine (:mod:`ttb_cola.ocr.engine`) and loads ``cola_label_text`` /
``cola_label_values`` into the same pipeline and dataset as the crawl. Exit status: 0, 1 when the load
failed, 2 for bad input (nothing written), 6 when another run holds the destination's lock, 130 on a Ctrl-C
(:func:`~ttb_cola.runs.failures.exit_status`, as the other commands).
"""

from __future__ import annotations

import argparse
from typing import Any

from ttb_cola.errors import InputError
from ttb_cola.ocr.read import OcrReport, read_plan
from ttb_cola.runs.exit_codes import EXIT_OK


def run_ocr(args: argparse.Namespace) -> int:
    """The ``ocr`` command: the exit status."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ttb_cola.destinations.lock import LockHeld
    from ttb_cola.runs.failures import exit_status
    from ttb_cola.runs.progress_lines import configure_logging
    from ttb_cola.settings import configured

    report = OcrReport()
    if args.if_configured and str(configured("ocr", "false")).lower() not in ("true", "1"):
        return EXIT_OK
    try:
        if args.max_colas is not None and args.max_colas < 1:
            raise InputError(f"--max-colas must be >= 1, got {args.max_colas}")
        if args.threads is not None and args.threads < 1:
            raise InputError(f"--threads must be >= 1, got {args.threads}")
        configure_logging(args.quiet)
        ocr_run(args, report)
    except (ValueError, LockHeld, PipelineStepFailed) as exc:  # InputError is a ValueError
        return exit_status("ocr", exc)
    print(report.summary())
    return EXIT_OK


def ocr_run(args: argparse.Namespace, report: OcrReport) -> Any:
    """Plan, read and load under the destination's lock; dlt's load info (None when nothing was to read)."""
    from ttb_cola.destinations.dataset import open_dataset
    from ttb_cola.destinations.lake_tables import as_lake_tables
    from ttb_cola.destinations.warehouse import FILE_FORMAT, destination_lock, pipeline_and_lake
    from ttb_cola.images.store import ImageStore, default_images_url
    from ttb_cola.ocr.engine import OcrEngine
    from ttb_cola.ocr.select import PLAN_TABLES, plan
    from ttb_cola.ocr.source import ttb_cola_ocr
    from ttb_cola.runs.recovery import finish_pending
    from ttb_cola.settings import configured

    with destination_lock(args.destination, "ttb-cola ocr"):
        pipeline, lake = pipeline_and_lake(args.destination, args.pipelines_dir)
        finish_pending(pipeline)
        url = args.images_url or configured("images_url") or default_images_url(lake.bucket_url if lake else None)
        store = ImageStore(url, lake.storage_options() if lake and "://" in url else None)
        with open_dataset(args.destination, pipeline.dataset_name, lake, PLAN_TABLES) as (con, tables):
            work = plan(lambda sql: con.execute(sql).fetchall(), tables, args.max_colas)
        if not work.colas:
            return None
        engine = OcrEngine(threads=args.threads or int(configured("ocr_threads", 2)))
        source = ttb_cola_ocr(read_plan(work, engine, store.get, report))
        if lake is not None:
            as_lake_tables(source)
        return pipeline.run(source, loader_file_format=FILE_FORMAT)
