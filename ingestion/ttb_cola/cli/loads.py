"""The commands loading beside the crawl: ``images`` (label images), ``permittees`` and ``processing-times``
(TTB's open files), ``ocr`` (the text of stored label images)."""

from __future__ import annotations

import argparse

from ttb_cola.cli.help import PIPELINES_DIR_HELP


def cmd_images(args: argparse.Namespace) -> int:
    """Fetch, verify and store the label images of COLAs already loaded."""
    from ttb_cola.runs.images import run_images

    return run_images(args)


def cmd_open_data(args: argparse.Namespace) -> int:
    """Load TTB's List of Permittees (when it changed) or today's processing times (:mod:`ttb_cola.open_data`)."""
    from ttb_cola.runs.open_data import run_open_data

    return run_open_data(args)


def cmd_ocr(args: argparse.Namespace) -> int:
    """Read the text of stored label images: alcohol content, net contents, vintage, age statement."""
    from ttb_cola.ocr.runner import run_ocr

    return run_ocr(args)


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``images``, ``permittees``, ``processing-times`` and ``ocr``."""
    add_images_command(commands)
    add_open_data_commands(commands)
    add_ocr_command(commands)


def add_images_command(commands: argparse._SubParsersAction) -> None:
    """``images``."""
    images = commands.add_parser("images", help="fetch, verify and store label images of loaded COLAs, read barcodes")
    images.add_argument("--date", help="one receipt date, YYYY-MM-DD")
    images.add_argument("--start", help="first receipt date of a range")
    images.add_argument("--end", help="last receipt date of a range (default: START)")
    images.add_argument("--which", choices=["front", "all"],
                        help="front (brand label) or all; default: sources.ttb_cola.images, else front")
    images.add_argument("--product-type", help="only these types of product, e.g. WINE,MALT BEVERAGE")
    images.add_argument("--class-type", help="only these class/type codes; a trailing * is a prefix, e.g. 80*,101")
    images.add_argument("--images-url", help="image store (default: sources.ttb_cola.images_url, data/images)")
    images.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    images.add_argument("--base-url", help="registry root (default: sources.ttb_cola.base_url)")
    images.add_argument("--requests-per-second", type=float, help="override the configured rate")
    images.add_argument("--max-workers", type=int, help="COLAs visited concurrently (default: max_workers)")
    images.add_argument("--max-requests", type=int, help="stop visiting new COLAs after this many requests")
    images.add_argument("--retry-unavailable-after", type=int, metavar="DAYS",
                        help="ask an unavailable image again once its last answer is DAYS old (default 7; 0: always)")
    images.add_argument("--no-barcodes", action="store_true", help="do not read barcodes")
    images.add_argument("--today", help="the run's date (default: today)")
    images.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    images.add_argument("--quiet", action="store_true", help="no progress lines")
    images.set_defaults(func=cmd_images)


def add_open_data_commands(commands: argparse._SubParsersAction) -> None:
    """``permittees`` and ``processing-times``."""
    helps = {
        "permittees": "load TTB's weekly List of Permittees when it changed (make permittees)",
        "processing-times": "append TTB's published label and formula processing times, once a day",
    }
    for name, text in helps.items():
        command = commands.add_parser(name, help=text)
        command.add_argument("--today", help="the run's date (default: today's date in Washington)")
        command.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
        command.add_argument("--base-url", help="TTB's site root (default: sources.ttb_open_data.base_url)")
        command.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
        if name == "permittees":
            command.add_argument("--force", action="store_true", help="load the week's lists even when unchanged")
        command.set_defaults(func=cmd_open_data, force=None)


def add_ocr_command(commands: argparse._SubParsersAction) -> None:
    """``ocr``."""
    ocr = commands.add_parser("ocr", help="read stored label images not read yet: alcohol, net contents, vintage, "
                                          "age (make ocr)")
    ocr.add_argument("--destination", default="duckdb", help="duckdb (default) or filesystem")
    ocr.add_argument("--images-url", help="image store (default: sources.ttb_cola.images_url, data/images)")
    ocr.add_argument("--max-colas", type=int, help="read the images of at most this many COLAs (oldest first)")
    ocr.add_argument("--threads", type=int, help="recogniser threads (default: sources.ttb_cola.ocr_threads, 2)")
    ocr.add_argument("--pipelines-dir", help=PIPELINES_DIR_HELP)
    ocr.add_argument("--quiet", action="store_true", help="no progress lines")
    ocr.add_argument("--if-configured", action="store_true",
                     help="do nothing unless sources.ttb_cola.ocr is true (bin/ttb-cola-daily)")
    ocr.set_defaults(func=cmd_ocr)
