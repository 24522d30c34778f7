"""Batches: preview, start, watch, cancel and undo many Stops, Pauses, Resumes and
Drains at once, and a company's kill switch. Each checks CSRF and its body before
anything is sent; the work itself runs in the background (actions/batch_runner.py), so
the answer is 202 and the page polls the progress until the batch is over."""
from __future__ import annotations

import re

from flask import abort, current_app, g, jsonify, render_template, request

from opsweb import platform_port as port
from opsweb.actions import audited, batch
from opsweb.actions.audit import AuditUnavailable
from opsweb.i18n.said import Said
from opsweb.web import csrf
from opsweb.web.views.actions import paperclip_url
from opsweb.web.views.common import json_twin, ops, params, respond

MAX_RUNNING_PER_OPERATOR = 3  # one operator's concurrent batches
PREVIEW_NAMES = 20
_BATCH_ID = re.compile(r"[0-9a-f]{16}")


def batch_preview():
    """What a batch would act on, resolved now (the batch resolves again when started)."""
    ask = _ask(need_reason=False)
    targets = _targets(ask)
    payload = {"action": ask.action, "total": len(targets),
               "items": [{"target": t.target, "kind": t.kind, "name": t.name}
                         for t in targets[:PREVIEW_NAMES]],
               "more": max(0, len(targets) - PREVIEW_NAMES)}
    return respond("opsweb/_batch_preview.html", payload, ask=ask, targets=targets,
                   shown=targets[:PREVIEW_NAMES], csrf_token=csrf.csrf_token())


def batch_start():
    ask = _ask()
    return _start(ask, _targets(ask))


def company_pause(company_id: str):
    """The kill switch: every agent of the company not already paused, as one batch."""
    company = port.check_uuid(company_id, "company id")
    body = _body()
    ask = _parse({"action": "pause", "filter": {"company": company},
                  "reason": body.get("reason")})
    return _start(ask, _targets(ask))


def batch_undo(batch_id: str):
    """Resume exactly the agents this batch paused, as a new batch."""
    source = _batch(batch_id)
    body = _body()
    if source.action != "pause":
        abort(400, Said("Only a Pause batch can be undone."))
    if source.running:
        abort(409, Said("The batch is still running: cancel it or wait for its end."))
    paused = [i for i in source.items if i.kind == "pause" and i.outcome == "done"]
    if not paused:
        abort(400, Said("This batch paused no agent: nothing to undo."))
    ask = _parse({"action": "resume", "agentIds": [i.target for i in paused],
                  "reason": body.get("reason") or Said("Undo of batch %(id)s", id=source.id)})
    targets = [batch.Target("resume", i.target, i.name, i.company_id) for i in paused]
    return _start(ask, targets, undo_of=source.id)


def batch_show(batch_id: str):
    params()
    found = _batch(batch_id)
    if found.running:
        ops().runner.recover()  # its instance may have stopped
        found = _batch(batch_id)
    if json_twin():
        return jsonify(found.to_json())
    template = "opsweb/_batch.html" if request.headers.get("HX-Request") \
        else "opsweb/batch_page.html"
    return render_template(template, batch=found, csrf_token=csrf.csrf_token())


def batch_cancel(batch_id: str):
    found = _batch(batch_id)
    _body()
    if found.running:
        ops().batches.ask_cancel(found.id)
        ops().runner.poke()
    return _answer(_batch(batch_id), 200)


def _start(ask: batch.Ask, targets: list[batch.Target], undo_of: str | None = None):
    store = ops().batches
    try:
        if store.running_of(g.opsweb_operator) >= MAX_RUNNING_PER_OPERATOR:
            abort(429, Said("You have %(count)s batches running: wait for one to end.",
                            count=MAX_RUNNING_PER_OPERATOR))
        who = audited.Request(g.opsweb_operator, request.remote_addr, ask.reason,
                              paperclip_url())
        batch_id = store.create(ask.action, who.operator, who.remote_addr, ask.reason,
                                who.paperclip_url, ops().runner.owner,
                                [t.as_row() for t in targets], undo_of=undo_of)
    except AuditUnavailable as err:
        current_app.logger.error("batch refused, audit trail unavailable: %s", err)
        abort(503, Said("The audit trail is unavailable, so nothing was sent to Paperclip."
                        " Try again shortly."))
    current_app.logger.info("batch %s (%s, %s targets) started by %s: %s", batch_id,
                            ask.action, len(targets), who.operator, ask.reason)
    ops().runner.start(batch_id, _with_batch(who, batch_id))
    return _answer(store.get(batch_id), 202)


def _with_batch(who: audited.Request, batch_id: str) -> audited.Request:
    return audited.Request(who.operator, who.remote_addr, who.reason, who.paperclip_url,
                           batch_id)


def _answer(found, status: int):
    resp = current_app.make_response(respond("opsweb/_batch.html", found.to_json(), status,
                                             batch=found, csrf_token=csrf.csrf_token()))
    resp.headers["HX-Trigger"] = "opsweb-changed"
    return resp


def _batch(batch_id: str):
    if not _BATCH_ID.fullmatch(batch_id):
        abort(400, Said("A batch id is 16 hexadecimal characters."))
    try:
        found = ops().batches.get(batch_id)
    except AuditUnavailable:
        abort(503, Said("The audit trail is unavailable. Try again shortly."))
    if found is None:
        abort(404, Said("No batch %(id)s.", id=batch_id))
    return found


def _targets(ask: batch.Ask) -> list[batch.Target]:
    limit = current_app.config["OPSWEB_BATCH_MAX"]
    try:
        return batch.resolve(ask, ops().platform, ops().fleet.read(), limit)
    except batch.Refused as err:
        abort(400, err.args[0])


def _parse(body: dict, need_reason: bool = True) -> batch.Ask:
    try:
        return batch.parse(body, current_app.config["OPSWEB_BATCH_MAX"], need_reason)
    except batch.Refused as err:
        abort(400, err.args[0])


def _ask(need_reason: bool = True) -> batch.Ask:
    return _parse(_body(), need_reason)


def _body() -> dict:
    """CSRF, then the body: JSON for the twin, the panel's form (lists of ids, filter_…
    fields) for the page."""
    params()
    why = csrf.refusal(json_twin=json_twin())
    if why:
        abort(403, why)
    if json_twin():
        if not request.get_data(cache=True):
            return {}
        if request.mimetype != "application/json":
            abort(415, "The body must be JSON (Content-Type: application/json)")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, "The body must be a JSON object")
        return body
    form = request.form
    body = {k: form[k] for k in ("action", "reason") if form.get(k)}
    for key in ("runIds", "agentIds"):
        if form.getlist(key):
            body[key] = form.getlist(key)
    chosen = {k[len("filter_"):]: v for k, v in form.items() if k.startswith("filter_") and v}
    if chosen or form.get("matching"):  # "select all matching": the filter, maybe none
        body["filter"] = chosen
    return body

