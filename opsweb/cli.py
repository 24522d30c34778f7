"""`opsweb serve`, `opsweb demo`, `opsweb check`."""
from __future__ import annotations

import argparse
import os
import socket
import sys
from importlib.metadata import PackageNotFoundError, version

from opsweb.runtime import logs
from opsweb.settings import SETTINGS, SettingError, _whole, resolve

DEMO_AUDIT_URL = "sqlite:///:memory:"  # the demo's Stops never reach a real trail
DEMO_RULES = os.path.join(os.path.dirname(__file__), "demo", "rules.toml")
from opsweb.runtime.redact import redact_url


def _version() -> str:
    try:
        return version("opsweb")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _shown(default: object) -> str:
    shown = ",".join(default) if isinstance(default, tuple) else default
    return "unset" if shown in (None, "") else str(shown)


def _add_settings(parser: argparse.ArgumentParser, only: tuple[str, ...]):
    """Flags keep their raw text: `resolve` parses flags and environment alike, so a
    malformed value gets the same one-line answer wherever it came from."""
    for s in SETTINGS:
        if s.flag and s.env in only:
            parser.add_argument(s.flag, dest=s.env, default=None,
                                metavar=s.flag.lstrip("-").upper().replace("-", "_"),
                                help=f"{s.help} (env {s.env}; default {_shown(s.default)})")


def _epilog() -> str:
    lines = ["settings (environment variables):"]
    for s in SETTINGS:
        lines.append(f"  {s.env:<28} {s.help} [default: {_shown(s.default)}]")
    return "\n".join(lines)


def _create(config: dict):
    """The app, or a one-line reason why opsweb refuses to start."""
    from opsweb import AuthConfigError, RulesError, create_app
    from opsweb.actions.audit import AuditUnavailable
    try:
        return create_app(config)
    except (AuthConfigError, AuditUnavailable, SettingError, RulesError) as err:
        print(f"opsweb: not starting: {err}", file=sys.stderr)
        return None


def server_settings(config: dict) -> dict:
    """waitress's settings under `opsweb serve` (the tests serve the app with the same).

    Every open page keeps a connection alive to poll every 4 s; waitress's default limit
    of 100 connections would turn the 101st viewer away.

    Forwarding headers reach the app untouched: waitress 3 would otherwise drop
    Forwarded and X-Forwarded-* from any peer not named in its trusted_proxy, so local
    mode could not see that a request came through a proxy (web/hosts.py refuses it)
    and OPSWEB_TRUSTED_PROXIES (ProxyFix, counting hops) would get nothing to believe.
    The app judges them in one place, the same under every WSGI server; waitress's own
    proxy handling (trusted_proxy, an address) is left off so no header is applied twice."""
    return dict(threads=config["OPSWEB_THREADS"], ident="opsweb", connection_limit=2000,
                clear_untrusted_proxy_headers=False)


def _bind(app, config: dict):
    """waitress bound to its port (before anything says the panel is up), or None
    after one line saying why not."""
    import waitress
    host, port = config["OPSWEB_HOST"], config["OPSWEB_PORT"]
    if config["OPSWEB_ACCESS_LOG"]:
        app = logs.AccessLog(app)
    try:
        return waitress.create_server(app, host=host, port=port, **server_settings(config))
    except OSError as err:
        print(f"opsweb: cannot listen on {host}:{port}: {err.strerror or err}", file=sys.stderr)
        return None


def _address(server, config: dict) -> str:
    """The panel's address as bound: port 0 becomes the port the system chose."""
    port = server.effective_port if server is not None else config["OPSWEB_PORT"]
    return f"http://{config['OPSWEB_HOST']}:{port}"


def _taken(host: str, port: int) -> str | None:
    """Why `port` cannot be bound, asked first: werkzeug (the demo Paperclip's server)
    answers a taken port with two lines of its own and exits."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug binds
        try:
            probe.bind((host, port))
        except OSError as err:
            return err.strerror or str(err)
    return None


def _serve(app, server, config: dict) -> None:
    """Until Ctrl-C. `server` is None with --debug: Flask's development server."""
    try:
        if server is None:
            app.run(host=config["OPSWEB_HOST"], port=config["OPSWEB_PORT"], debug=True,
                    threaded=True)
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()


def _ready(args, config: dict):
    """The app and its bound server (None under --debug), or the exit status that
    says why not: 2 for a setting, 1 for a port that cannot be had."""
    app = _create(config)
    if app is None:
        return 2
    server = None if args.debug else _bind(app, config)
    if server is None and not args.debug:
        return 1
    return app, server


def cmd_serve(args, config: dict) -> int:
    ready = _ready(args, config)
    if isinstance(ready, int):
        return ready
    app, server = ready
    if not config["OPSWEB_OPERATOR_TOKENS"] and config["OPSWEB_HOST"] not in (
            "127.0.0.1", "localhost", "::1"):
        print("opsweb: no OPSWEB_OPERATOR_TOKENS: only requests from 127.0.0.1 are served",
              file=sys.stderr, flush=True)
    print(f"opsweb: panel on {_address(server, config)}/operations"
          f" against Paperclip at {redact_url(config['OPSWEB_PAPERCLIP_URL'])}", flush=True)
    _serve(app, server, config)
    return 0


def cmd_demo(args, config: dict) -> int:
    from opsweb.demo.runner import DemoServer

    taken = _taken("127.0.0.1", config["OPSWEB_DEMO_PORT"])
    if taken:
        print(f"opsweb demo: cannot listen on 127.0.0.1:{config['OPSWEB_DEMO_PORT']}: {taken}",
              file=sys.stderr)
        return 1
    demo = DemoServer(port=config["OPSWEB_DEMO_PORT"]).start()
    if args.crowd:
        demo.world.crowd(args.crowd)
    try:
        # Its own in-memory audit trail: demo Stops must never show up in a real panel.
        config = {**config, "OPSWEB_PAPERCLIP_URL": demo.url, "OPSWEB_PAPERCLIP_TOKEN": None,
                  "OPSWEB_COMPANIES": (), "OPSWEB_AUDIT_URL": DEMO_AUDIT_URL,
                  "OPSWEB_RULES": config["OPSWEB_RULES"] or DEMO_RULES}
        ready = _ready(args, config)
        if isinstance(ready, int):
            return ready
        app, server = ready
        demo.world.late_loop()  # its loop forms in front of the rules, once opsweb is up
        print(f"opsweb demo: Paperclip-compatible demo server at {demo.url}"
              f" (try: opsweb check --paperclip-url {demo.url})", flush=True)
        print(f"opsweb demo: open {_address(server, config)}/operations", flush=True)
        _serve(app, server, config)
    finally:
        demo.stop()
    return 0


def cmd_check(args, config: dict) -> int:
    from opsweb.check import run_check
    return run_check(config, out=sys.stdout)


SERVE_FLAGS = tuple(s.env for s in SETTINGS if s.env != "OPSWEB_DEMO_PORT")
DEMO_FLAGS = ("OPSWEB_HOST", "OPSWEB_PORT", "OPSWEB_THREADS", "OPSWEB_LOG_LEVEL",
              "OPSWEB_DEMO_PORT")  # OPSWEB_RULES and its interval come from the environment
CHECK_FLAGS = ("OPSWEB_PAPERCLIP_URL", "OPSWEB_COMPANIES", "OPSWEB_TIMEOUT")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsweb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=_epilog())
    parser.add_argument("--version", action="version", version=f"opsweb {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="{serve,demo,check}")
    common = dict(formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_epilog())

    serve = sub.add_parser("serve", help="the panel against a Paperclip server", **common)
    _add_settings(serve, SERVE_FLAGS)
    demo = sub.add_parser("demo", help="a built-in demo Paperclip plus the panel against it",
                          **common)
    _add_settings(demo, DEMO_FLAGS)
    demo.add_argument("--crowd", type=_whole(0, 1000, "a number of runs"), default=0, metavar="N",
                      help="add a company with N running runs (over 50: past what"
                           " live-runs returns at once)")
    for p in (serve, demo):
        p.add_argument("--debug", action="store_true",
                       help="Flask's development server with the debugger, instead of waitress")
    check = sub.add_parser("check", help="check the connection to Paperclip and the key's rights",
                           **common)
    _add_settings(check, CHECK_FLAGS)
    serve.set_defaults(func=cmd_serve)
    demo.set_defaults(func=cmd_demo)
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    flags = {s.env: getattr(args, s.env) for s in SETTINGS if hasattr(args, s.env)}
    try:
        config = resolve(os.environ, flags)
    except SettingError as err:
        print(f"opsweb: {err}", file=sys.stderr)
        return 2
    logs.configure(config["OPSWEB_LOG_LEVEL"])
    return args.func(args, config)


if __name__ == "__main__":
    sys.exit(main())
