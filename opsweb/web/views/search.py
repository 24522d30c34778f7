"""Search inside transcripts: one run's (the log dialog's search box) and an agent's
last runs (its card); each a fragment and a JSON twin."""
from __future__ import annotations

from flask import abort, request
from werkzeug.exceptions import TooManyRequests

from opsweb import platform_port as port
from opsweb.fleet.search import MAX_MATCHES, SEARCH_SECONDS, Query, parse_from
from opsweb.fleet.search_runs import DEFAULT_RUNS, MAX_RUNS
from opsweb.i18n.said import Said
from opsweb.runtime import untrusted
from opsweb.web import download_slots
from opsweb.web.views.common import json_twin, ops, params, respond, whole_number

MAX_OFFSET = 2**50


def _query(args: dict) -> Query:
    regex = args.get("regex", "0")
    if regex not in ("0", "1"):
        abort(400, "regex must be 0 or 1")
    try:
        return Query.parse(args.get("q"), regex == "1")
    except ValueError as err:
        abort(400, str(err))


def _slot():
    """A search reads a whole log, as a download does, and holds a worker thread as long:
    it takes one of the download slots, so that searches cannot starve the panel."""
    release = ops().downloads.take(request.remote_addr or "")
    if release is None:
        raise TooManyRequests(Said("Too many searches and log downloads at once (at most"
                                   " %(each)s per address, %(total)s in all): wait for one"
                                   " to finish", each=ops().downloads.per_client,
                                   total=ops().downloads.total),
                              retry_after=download_slots.RETRY_AFTER_SECONDS)
    return release


def run_search(run_id: str):
    args = params("q", "regex", "cursor", "until", "shown")
    port.check_uuid(run_id, "run id")
    query = _query(args)
    start = args.get("cursor")
    if start is not None:
        try:
            parse_from(start)
        except ValueError as err:
            abort(400, str(err))
    until = whole_number(args, "until", MAX_OFFSET, 0, MAX_OFFSET) if "until" in args else None
    if until is not None and start is None:
        abort(400, "until goes with cursor: it keeps a search further within what the first"
                   " answer searched")
    shown = whole_number(args, "shown", 0, 0, MAX_MATCHES - 1)
    # The page's first answer comes as soon as one read found something; it then asks
    # for the rest itself (`shown` counts what it has, within one answer's bound).
    early = not json_twin() and start is None
    release = _slot()
    try:
        info, found = ops().searches.run(run_id, query, start, until, early=early,
                                         limit=MAX_MATCHES - shown)
    finally:
        release()
    return respond("opsweb/search_results.html", found.to_json(),
                   title=Said("%(agent)s · search", agent=info.agent_name),
                   info=info, found=found, shown=shown, search_seconds=SEARCH_SECONDS)


def agent_search(agent_id: str):
    args = params("q", "regex", "runs")
    port.check_uuid(agent_id, "agent id")
    query = _query(args)
    runs = whole_number(args, "runs", DEFAULT_RUNS, 1, MAX_RUNS)
    release = _slot()
    try:
        agent, results = ops().searches.agent(agent_id, query, runs)
    finally:
        release()
    payload = {"agentId": agent_id, "query": query.text,
               "mode": "regex" if query.regex else "text", "runs": [r.to_json() for r in results]}
    return respond("opsweb/agent_search.html", payload,
                   title=Said("%(agent)s · search",
                              agent=untrusted.text(agent.get("name")) or agent_id[:8]),
                   agent=agent, query=query, results=results)
