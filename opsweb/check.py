"""`opsweb check`: can this opsweb see and steer the configured Paperclip?

Prints one line per finding and returns a non-zero exit status when anything an
operator relies on (reads, Stop, Reset) would not work.
"""
from __future__ import annotations

from typing import TextIO

from opsweb import platform_port as port
from opsweb.runtime.redact import redact_url


def run_check(config: dict, out: TextIO) -> int:
    url = config["OPSWEB_PAPERCLIP_URL"]
    platform = port.connect(url, config.get("OPSWEB_PAPERCLIP_TOKEN"),
                            config.get("OPSWEB_TIMEOUT", 3.0))
    problems = 0

    def say(ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        out.write(f"{'ok  ' if ok else 'FAIL'} {text}\n")

    try:
        health = port.pc_health(platform)
    except (port.Unreachable, port.Timeout) as err:
        say(False, err.message)
        return 1
    except port.PlatformError as err:  # it answered, but not as Paperclip does
        say(False, f"this is not a Paperclip API: {url}/api/health answered: {err.message}")
        return 1
    if not {"status", "version"} <= set(health):
        say(False, f"this is not a Paperclip API: {url}/api/health answered without"
                   " Paperclip's status and version")
        return 1
    say(health.get("status") == "ok",
        f"Paperclip {health.get('version', '?')} at {redact_url(url)}, deployment mode"
        f" {health.get('deploymentMode', '?')}, status {health.get('status', '?')}")
    token = config.get("OPSWEB_PAPERCLIP_TOKEN")
    say(True, "using a board API key" if token else
        "no OPSWEB_PAPERCLIP_TOKEN: works only with a loopback local_trusted Paperclip")

    visible: dict[str, str] | None = None
    try:
        visible = {c["id"]: c.get("name", "") for c in port.pc_list_companies(platform)}
        # GET /api/companies is board-only, like cancel and reset-session.
        say(True, f"board access (Stop and Reset allowed); companies visible: "
                  f"{', '.join(f'{n} ({i})' for i, n in visible.items()) or 'none'}")
    except port.PlatformError as err:
        say(False, f"no board access, so Stop and Reset will be refused: {err.message}")

    for cid in config.get("OPSWEB_COMPANIES") or tuple(visible or ()):
        if visible is not None and cid not in visible:
            # Paperclip 2026.916.1 answers an unknown company's live runs with [],
            # which would read as "ok, 0 live runs".
            say(False, f"company {cid}: not among the companies this key can see")
            continue
        try:
            runs = port.pc_list_live_runs(platform, cid)
            say(True, f"company {(visible or {}).get(cid) or cid}: {len(runs)} live run(s) readable")
        except port.PlatformError as err:
            say(False, f"company {cid}: {err.message}")
    if not (config.get("OPSWEB_COMPANIES") or visible):
        say(False, "no company to watch: set OPSWEB_COMPANIES or use a key that sees some")
    out.write("all good\n" if not problems else f"{problems} problem(s)\n")
    return 0 if not problems else 1
