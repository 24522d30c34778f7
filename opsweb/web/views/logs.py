"""A run's log (window, follow, earlier), its events, and the whole transcript as
NDJSON or text downloads."""
from __future__ import annotations


from flask import (Response, abort, current_app, make_response,
                   request, stream_with_context, url_for)
from werkzeug.exceptions import TooManyRequests

from opsweb import platform_port as port
from opsweb.fleet.runlog import SILENT_SECONDS, RunLogs
from opsweb.i18n.said import Said
from opsweb.runtime import memory, untrusted
from opsweb.transcript.cursor import Cursor, parse_offset
from opsweb.transcript.entry import transcript_text
from opsweb.web import csrf, download_slots
from opsweb.web.log_dom import log_dom_bounds
from opsweb.web.views.common import (json_twin, ops, params, respond,
                                     whole_number)


LOG_FOLLOW_SECONDS = 2  # how often an open log asks for new output


def run_log(run_id: str):
    args = params("cursor", "before", "since", "format", "at", "line", "later")
    port.check_uuid(run_id, "run id")
    own = "json" if json_twin() else "html"
    if args.get("format", own) != own:
        # One format per route: the whole transcript as text is log.txt.
        abort(400, f"format must be {own} here (or left out); the whole transcript as text is "
                   f"{url_for('opsweb_api.run_log_text', run_id=run_id)}")
    cursor, before, since = args.get("cursor"), args.get("before"), args.get("since")
    at = whole_number(args, "at", 0, 0, 2**50) if "at" in args else None
    line = whole_number(args, "line", 0, 0, 10**6)
    if "line" in args and at is None:
        abort(400, "line goes with at: the entry of that record a search match is")
    later = args.get("later")
    try:  # a malformed cursor is refused before Paperclip is asked anything
        if cursor is not None:
            Cursor.parse(cursor)
        if before is not None:
            parse_offset(before)
        if since is not None:
            parse_offset(since, "since")
    except ValueError as err:
        abort(400, str(err))
    if since is not None and before is None:
        abort(400, "since goes with before: it bounds an earlier window")
    if at is not None and (cursor or before or since):
        abort(400, "at goes alone: it opens the log at that byte offset (a search match's)")
    if later is not None and (later != "1" or cursor is None):
        abort(400, "later is 1, with cursor: the window after it, however far from the end")
    standalone = not json_twin() and not request.headers.get("HX-Request")
    if standalone:  # a follow or earlier URL opened on its own: the log's page, at its end
        cursor = before = since = later = None
    logs = ops().logs
    info = logs.info(run_id)
    try:
        if at is not None:
            part = logs.around(info, at)
        elif later:
            part = logs.later(info, cursor)
        else:
            part = logs.transcript(info, cursor=cursor, before=before, since=since)
    except ValueError as err:
        abort(400, str(err))
    finished = not info.live and part.at_eof
    # an earlier window's newest entry is not the run's newest output
    last_output = info.last_output(part.entries if before is None and at is None else [])
    silent = info.silent_seconds(last_output, ops().agents.clock.now())
    payload = {"lastOutputAt": last_output, "silentSeconds": silent,
               "run": info.to_json(),
               "entries": [e.to_json() for e in part.entries],
               "text": transcript_text(part.entries), "cursor": part.cursor,
               "earlier": part.earlier, "atEof": part.at_eof, "finished": finished,
               "skipped": part.skipped and {"from": part.skipped[0], "to": part.skipped[1],
                                            "bytes": part.skipped[1] - part.skipped[0]}}
    opening = before is None and cursor is None
    if standalone:  # the log's URL opened on its own: a page of its own, not a bare fragment
        template = "opsweb/log_page.html"
    elif before is not None:
        template = "opsweb/log_earlier.html"
    elif later:
        template = "opsweb/log_later.html"
    elif cursor is not None:
        template = "opsweb/log_follow.html"
    else:
        template = "opsweb/log.html"
    # 286 tells htmx to stop polling: the run is over and its log read to the end.
    polled = cursor is not None and not later
    status = 286 if finished and polled and not json_twin() else 200
    resp = make_response(respond(
        template, payload, status, info=info, part=part, finished=finished, since=since,
        at=at, line=line, last_output=last_output, silent=silent is not None and silent >= SILENT_SECONDS,
        follow_seconds=LOG_FOLLOW_SECONDS, dom=log_dom_bounds(current_app.config),
        csrf_token=csrf.csrf_token()))
    if opening and request.headers.get("HX-Request") and not json_twin():
        # the address bar names the open dialog: reloading or sharing it opens it again
        resp.headers["HX-Push-Url"] = url_for("opsweb_panel.page", run=run_id)
    return resp


def _download(run_id: str, pages_of, mimetype: str, filename: str):
    """Stream a whole log, page by page; an upstream fault before the first page
    still gets its status, a later one cuts the download short (and is logged)."""
    params()
    port.check_uuid(run_id, "run id")
    release = ops().downloads.take(request.remote_addr or "")
    if release is None:
        raise TooManyRequests(Said("Too many log downloads at once (at most %(each)s per"
                                   " address, %(total)s in all): wait for one to finish",
                                   each=ops().downloads.per_client,
                                   total=ops().downloads.total),
                              retry_after=download_slots.RETRY_AFTER_SECONDS)
    try:
        memory.return_big_blocks()
        logs = ops().logs
        info = logs.info(run_id)  # a clean 404 before the download starts
        pages = pages_of(logs, info)
        first = next(pages, "")
    except BaseException:
        release()
        raise

    def rest():
        yield first
        try:
            yield from pages
        except port.PlatformError as err:  # too late for a status: cut the download short
            current_app.logger.warning("download of run %s's log cut short: %s", run_id,
                                       err.message)
    resp = Response(stream_with_context(rest()), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    resp.call_on_close(release)  # finished, failed or hung up: the slot is free again
    return resp


def run_log_ndjson(run_id: str):
    return _download(run_id, RunLogs.raw_pages, "application/x-ndjson", f"{run_id}.ndjson")


def run_log_text(run_id: str):
    return _download(run_id, RunLogs.text_pages, "text/plain", f"{run_id}.txt")


def run_events(run_id: str):
    args = params("after")
    port.check_uuid(run_id, "run id")
    after = whole_number(args, "after", 0, 0, 2**53 - 1)
    logs = ops().logs
    info = logs.info(run_id)
    events = untrusted.events(logs.events(run_id, after))
    last = max((e.get("seq", 0) for e in events if isinstance(e.get("seq"), int)),
               default=after)
    payload = {"runId": run_id, "live": info.live, "events": events, "after": last}
    status = 286 if not info.live and not events and not json_twin() else 200
    if not json_twin() and not request.headers.get("HX-Request"):
        status = 200  # a page: 286 means something to htmx only
    return respond("opsweb/events.html", payload, status,
                   title=Said("%(agent)s · events", agent=info.agent_name),
                   info=info, events=events, after=last, first=(after == 0))


