"""``ttb-cola simulate``: run the local registry simulator (``serve``) or export its truth (``truth``)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import date
from pathlib import Path

from ttb_cola_sim.faults import FaultConfig
from ttb_cola_sim.registry import DEFAULT_START, Registry
from ttb_cola_sim.search import EXPORT_CAP
from ttb_cola_sim.server import SimulatorServer
from ttb_cola_sim.truth import METHOD_ORDER, write_truth


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a rate must be between 0 and 1, got {text}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _methods(text: str) -> list[str]:
    methods = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHOD_ORDER]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown receipt method(s): {', '.join(unknown)}")
    return methods


def build_parser() -> argparse.ArgumentParser:
    """The ``simulate`` argument parser."""
    parser = argparse.ArgumentParser(prog="ttb-cola simulate", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--seed", type=int, default=1, help="registry seed (default 1)")
        sub.add_argument("--as-of", type=_date, default=None, help="registry clock, YYYY-MM-DD (default today)")
        sub.add_argument("--registry-start", type=_date, default=DEFAULT_START,
                         help=f"first receipt date holding applications (default {DEFAULT_START})")

    serve = commands.add_parser("serve", help="serve the registry on loopback until interrupted")
    common(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0 picks a free one)")
    serve.add_argument("--session-ttl", type=float, default=1800.0, help="search session idle timeout, seconds")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.add_argument("--export-cap", type=_positive, default=EXPORT_CAP,
                       help=f"rows the search's CSV export holds at most (default {EXPORT_CAP})")
    faults = serve.add_argument_group("faults (seeded, reproducible)")
    faults.add_argument("--fault-seed", type=int, default=0)
    faults.add_argument("--latency-ms", type=float, default=0.0, help="fixed delay on every response")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="extra uniform random delay, up to this")
    faults.add_argument("--error-rate", type=_rate, default=0.0, help="share of HTTP 5xx responses")
    faults.add_argument("--rate-limit-rate", type=_rate, default=0.0, help="share of HTTP 429 responses")
    faults.add_argument("--retry-after", type=int, default=2, help="Retry-After seconds on 429")
    faults.add_argument("--reset-rate", type=_rate, default=0.0, help="share of connections reset")
    faults.add_argument("--hang-rate", type=_rate, default=0.0, help="share of requests left hanging")
    faults.add_argument("--hang-seconds", type=float, default=30.0, help="how long a hanging request hangs")
    faults.add_argument("--truncate-rate", type=_rate, default=0.0, help="share of bodies cut short")
    faults.add_argument("--captcha-rate", type=_rate, default=0.0, help="share of CAPTCHA pages")
    faults.add_argument("--session-timeout-rate", type=_rate, default=0.0, help="share of session timeout pages")
    faults.add_argument("--forbidden-rate", type=_rate, default=0.0, help="share of HTTP 403 (WAF) pages")
    faults.add_argument("--maintenance-rate", type=_rate, default=0.0, help="share of maintenance pages")
    faults.add_argument("--block-all", action="store_true", help="serve the --block-kind page for everything")
    faults.add_argument("--block-from", type=int, default=0,
                        help="serve the --block-kind page from the Nth registry request on (0: never)")
    faults.add_argument("--block-kind", default="captcha",
                        help="captcha (default), forbidden, maintenance, server_error")

    truth = commands.add_parser("truth", help="write the public records of a receipt-date range as JSONL")
    common(truth)
    truth.add_argument("--start", type=_date, required=True, help="first receipt date, YYYY-MM-DD")
    truth.add_argument("--end", type=_date, required=True, help="last receipt date, YYYY-MM-DD")
    truth.add_argument("--methods", type=_methods, default=None, help="receipt methods, e.g. 001,002 (default all)")
    truth.add_argument("--output", "-o", default="-", help="output file (default stdout)")
    truth.add_argument("--labels", action="store_true",
                       help="what each COLA's labels state (alcohol, net contents, vintage, age) instead of its record")
    return parser


def fault_config(args: argparse.Namespace) -> FaultConfig:
    """The fault settings given on the command line."""
    return FaultConfig(
        latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate, retry_after=args.retry_after, reset_rate=args.reset_rate,
        hang_rate=args.hang_rate, hang_seconds=args.hang_seconds, truncate_rate=args.truncate_rate,
        captcha_rate=args.captcha_rate, session_timeout_rate=args.session_timeout_rate,
        forbidden_rate=args.forbidden_rate, maintenance_rate=args.maintenance_rate,
        block_all=args.block_all, block_from=args.block_from, block_kind=args.block_kind, seed=args.fault_seed,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve in the foreground; SIGINT/SIGTERM stop it cleanly."""
    try:
        faults = fault_config(args)
    except ValueError as exc:
        print(f"ttb-cola simulate: {exc}", file=sys.stderr)
        return 2
    registry = Registry(seed=args.seed, as_of=args.as_of, start=args.registry_start)
    server = SimulatorServer(registry, host=args.host, port=args.port, faults=faults,
                             session_ttl=args.session_ttl, verbose=args.verbose, export_cap=args.export_cap)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"ttb-cola simulator: seed {registry.seed}, as of {registry.as_of}, serving {server.base_url}",
          file=sys.stderr, flush=True)
    print(f"ttb-cola simulator: TTB's open files (List of Permittees, processing times) at {server.site_url}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server._httpd.server_close()
    return 0


def cmd_truth(args: argparse.Namespace) -> int:
    """Write the truth JSONL and report the count on stderr."""
    if args.end < args.start:
        print("ttb-cola simulate truth: --end is before --start", file=sys.stderr)
        return 2
    registry = Registry(seed=args.seed, as_of=args.as_of, start=args.registry_start)
    if args.output == "-":
        try:
            count = write_truth(registry, args.start, args.end, sys.stdout, args.methods, args.labels)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into head: stop quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    else:
        with Path(args.output).open("w", encoding="utf-8") as out:
            count = write_truth(registry, args.start, args.end, out, args.methods, args.labels)
    print(f"ttb-cola simulate truth: {count} records", file=sys.stderr)
    return 0


def run(argv: list[str]) -> int:
    """Entry point for ``ttb-cola simulate ARGS...``; returns the exit status."""
    args = build_parser().parse_args(argv)
    return cmd_serve(args) if args.command == "serve" else cmd_truth(args)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
