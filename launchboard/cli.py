"""``python -m launchboard report|generate|replay|users``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import ConfigError, load_config
from .loader import open_store
from .timeutil import parse_moment


def _report(args: argparse.Namespace) -> int:
    from . import i18n, report

    data = Path(args.data)
    if not data.is_dir():
        print(f"launchboard: data folder not found: {data}", file=sys.stderr)
        return 2
    try:
        config = load_config(data)
    except ConfigError as exc:
        print(f"launchboard: invalid launch.toml: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    as_of = None
    if args.as_of:
        try:
            as_of = parse_moment(args.as_of, config.tz)
        except ValueError as exc:
            print(f"launchboard: --as-of: {exc}", file=sys.stderr)
            return 2
    with i18n.use(args.lang or config.locale):  # the Markdown's words and the alerts' messages
        store = open_store(data, config)
        try:
            result = report.build(store, as_of)
        finally:
            store.close()
        if args.format == "json":
            print(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            print(report.to_markdown(result))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .generate import generate

    summary = generate(Path(args.out), orders=args.orders, seed=args.seed,
                       real_out=Path(args.real_out) if args.real_out else None)
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _replay(args: argparse.Namespace) -> int:
    from .replay import ReplayError, replay
    from .timeutil import local_text

    try:
        for drop, files in replay(Path(args.source), Path(args.to), speed=args.speed, drop_minutes=args.drop_minutes,
                                  wait=not args.no_wait):
            counts = ", ".join(f"{t} {drop.rows(t):,}" for t in ("orders", "shipments", "activations",
                                                                  "messages", "calls") if drop.rows(t))
            print(f"drop {drop.seq}: launch time to {local_text(drop.window_end, drop.window_end.tzinfo)}"
                  f" · {len(files)} file(s) · {counts or 'no rows'}", flush=True)
    except (ReplayError, ConfigError) as exc:
        print(f"launchboard: replay: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchboard", description="Launchboard engine")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("report", help="print every figure as of a moment")
    rep.add_argument("--data", required=True, help="the data folder (spec section 1)")
    rep.add_argument("--as-of", help="YYYY-MM-DD HH:MM[:SS][+09:00]; default: the newest event")
    rep.add_argument("--format", choices=("json", "md"), default="json")
    rep.add_argument("--lang", choices=("ko", "en"),
                     help="the Markdown's language and the alerts' messages (default: launch.toml's locale); "
                          "JSON keys and identifiers stay English")
    rep.set_defaults(func=_report)

    gen = sub.add_parser("generate", help="write a deterministic sample launch")
    gen.add_argument("--orders", type=int, default=50_000, help="priority pre-orders (default 50,000)")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--out", required=True)
    gen.add_argument("--real-out", help="also write the same launch in real export shapes (xlsx, queue_log, Twilio)")
    gen.set_defaults(func=_generate)

    rpl = sub.add_parser("replay", help="write a finished launch into a live folder as timed drops")
    rpl.add_argument("--from", dest="source", required=True, help="the finished launch (a data folder)")
    rpl.add_argument("--to", required=True, help="the live folder the dashboard watches (new or without extracts)")
    rpl.add_argument("--speed", type=float, default=600, help="launch seconds per real second (default 600)")
    rpl.add_argument("--drop-minutes", type=float, default=10, help="launch minutes per drop (default 10)")
    rpl.add_argument("--no-wait", action="store_true", help="write every drop at once, without waiting")
    rpl.set_defaults(func=_replay)

    from .users_cli import add_parser as add_users_parser

    add_users_parser(sub)

    args = parser.parse_args(argv)
    return args.func(args)
