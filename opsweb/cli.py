"""`opsweb serve`, `opsweb demo`, `opsweb check`."""
from __future__ import annotations

import argparse
import os
import sys

from opsweb.settings import SETTINGS, from_env


def _add_settings(parser: argparse.ArgumentParser, only: tuple[str, ...] | None = None):
    defaults = from_env()
    for s in SETTINGS:
        if s.flag and (only is None or s.env in only):
            shown = ",".join(s.default) if isinstance(s.default, tuple) else s.default
            parser.add_argument(s.flag, dest=s.env, type=s.parse, default=defaults[s.env],
                                help=f"{s.help} (env {s.env}; default {shown or 'unset'})")


def _epilog() -> str:
    lines = ["settings (environment variables):"]
    for s in SETTINGS:
        shown = ",".join(s.default) if isinstance(s.default, tuple) else s.default
        lines.append(f"  {s.env:<28} {s.help} [default: {shown if shown not in (None, '') else 'unset'}]")
    return "\n".join(lines)


def _serve_app(app, host: str, port: int, debug: bool, threads: int) -> None:
    if debug:
        app.run(host=host, port=port, debug=True, threaded=True)
        return
    import waitress
    # Every open page keeps a connection alive to poll every 4 s; waitress's default
    # limit of 100 connections would turn the 101st viewer away.
    waitress.serve(app, host=host, port=port, threads=threads, ident="opsweb",
                   connection_limit=2000)


def _create(config: dict):
    """The app, or a one-line reason why opsweb refuses to start."""
    from opsweb import AuthConfigError, create_app
    from opsweb.audit import AuditUnavailable
    try:
        return create_app(config)
    except (AuthConfigError, AuditUnavailable) as err:
        print(f"opsweb: not starting: {err}", file=sys.stderr)
        return None


def cmd_serve(args) -> int:
    config = {s.env: getattr(args, s.env) for s in SETTINGS if hasattr(args, s.env)}
    app = _create(config)
    if app is None:
        return 2
    if not app.config.get("OPSWEB_OPERATOR_TOKENS") and args.OPSWEB_HOST not in (
            "127.0.0.1", "localhost", "::1"):
        print("opsweb: no OPSWEB_OPERATOR_TOKENS: only requests from 127.0.0.1 are served",
              file=sys.stderr, flush=True)
    print(f"opsweb: panel on http://{args.OPSWEB_HOST}:{args.OPSWEB_PORT}/operations"
          f" against Paperclip at {args.OPSWEB_PAPERCLIP_URL}", flush=True)
    _serve_app(app, args.OPSWEB_HOST, args.OPSWEB_PORT, args.debug, args.threads)
    return 0


def cmd_demo(args) -> int:
    from opsweb.demo.runner import DemoServer

    demo = DemoServer(port=args.demo_port).start()
    if args.crowd:
        demo.world.crowd(args.crowd)
    app = _create({"OPSWEB_PAPERCLIP_URL": demo.url, "OPSWEB_PAPERCLIP_TOKEN": None,
                   "OPSWEB_COMPANIES": ()})
    if app is None:
        demo.stop()
        return 2
    print(f"opsweb demo: Paperclip-compatible demo server at {demo.url}", flush=True)
    print(f"opsweb demo: open http://{args.OPSWEB_HOST}:{args.OPSWEB_PORT}/operations",
          flush=True)
    try:
        _serve_app(app, args.OPSWEB_HOST, args.OPSWEB_PORT, args.debug, args.threads)
    finally:
        demo.stop()
    return 0


def cmd_check(args) -> int:
    from opsweb.check import run_check
    config = {**from_env(), **{s.env: getattr(args, s.env) for s in SETTINGS
                               if hasattr(args, s.env)}}
    return run_check(config, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsweb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=_epilog())
    sub = parser.add_subparsers(dest="command", required=True)
    common = dict(formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_epilog())

    serve = sub.add_parser("serve", help="the panel against a Paperclip server", **common)
    _add_settings(serve)
    demo = sub.add_parser("demo", help="a built-in demo Paperclip plus the panel against it",
                          **common)
    _add_settings(demo, only=("OPSWEB_HOST", "OPSWEB_PORT"))
    demo.add_argument("--demo-port", type=int, default=0,
                      help="port of the demo Paperclip server (default: a free one)")
    demo.add_argument("--crowd", type=int, default=0, metavar="N",
                      help="add a company with N running runs (over 50: past what"
                           " live-runs returns at once)")
    for p in (serve, demo):
        p.add_argument("--threads", type=int, default=int(os.environ.get("OPSWEB_THREADS", 16)),
                       help="worker threads of the production server (env OPSWEB_THREADS; default 16)")
        p.add_argument("--debug", action="store_true",
                       help="Flask's development server with the debugger, instead of waitress")
    check = sub.add_parser("check", help="check the connection to Paperclip and the key's rights",
                           **common)
    _add_settings(check, only=("OPSWEB_PAPERCLIP_URL", "OPSWEB_COMPANIES", "OPSWEB_TIMEOUT"))
    serve.set_defaults(func=cmd_serve)
    demo.set_defaults(func=cmd_demo)
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
