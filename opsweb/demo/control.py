"""The /__demo control routes: how tests and benches steer the demo world.

Not part of Paperclip's API and never counted, delayed, faulted or authenticated.
Bodies are JSON; errors are `{"error": ...}` with 400 (bad input), 404 or 409.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from .big_fleet import add as big_fleet_add
from .clock import canonical_uuid
from .harness import Harness
from .server import error, json_response
from .world import Conflict, NotFound, World

control = Blueprint("demo_control", __name__, url_prefix="/__demo")


def _world() -> World:
    return current_app.extensions["opsweb_demo"]["world"]


def _harness() -> Harness:
    return current_app.extensions["opsweb_demo"]["harness"]


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _id(value: str) -> str:
    return canonical_uuid(value) or value


@control.errorhandler(ValueError)
@control.errorhandler(TypeError)
def bad_input(exc):
    return error(str(exc), 400)


@control.errorhandler(NotFound)
def not_found(exc):
    return error(str(exc), 404)


@control.errorhandler(Conflict)
def conflict(exc):
    return error(str(exc), 409)


@control.get("/world")
def world_directory():
    return json_response(_world().directory())


@control.get("/calls")
def calls():
    return json_response(_harness().calls())


@control.post("/reset")
def reset():
    """Counters, faults and latency back to none; `{"world": true}` also reseeds."""
    _harness().reset()
    if _body().get("world"):
        _world().reseed()
    return json_response({"ok": True})


@control.get("/faults")
def faults():
    return json_response(_harness().faults())


@control.post("/faults")
def set_fault():
    body = _body()
    if "mode" not in body:
        raise ValueError('body needs "mode" (a fault mode, or null to clear)')
    company = body.get("companyId")
    _harness().set_fault(_id(company) if company else None, body["mode"],
                         _opt_int(body, "delayMs"), _opt_int(body, "sizeBytes"))
    return json_response(_harness().faults())


@control.post("/latency")
def latency():
    _harness().latency_ms = max(0, int(_body().get("ms") or 0))
    return json_response(_harness().faults())


@control.post("/autoplay")
def autoplay():
    _world().set_autoplay(bool(_body().get("on")))
    return json_response({"autoplay": _world().autoplay})


@control.post("/fleet")
def big_fleet():
    """`{"companies": 40, "runsPerCompany": 50}`: a 2,000-run fleet (big_fleet.py;
    Paperclip lists at most 50 live runs per company)."""
    body = _body()
    return json_response(big_fleet_add(_world(), int(body.get("companies") or 40),
                                       int(body.get("runsPerCompany") or 50),
                                       int(body.get("agentsPerCompany") or 10)), 201)


@control.post("/clock")
def clock():
    """Jump the world's clock forward (silence ages grow; a playing world catches up)."""
    _world().clock.advance(float(_body().get("advanceMs") or 0) / 1000)
    return json_response(_world().directory())


@control.post("/late-loop")
def late_loop():
    """Schema Migrator joins Acme; every wake of his fails the same way from now on."""
    return json_response(_world().late_loop())


@control.post("/crowd")
def crowd():
    """A third company, Initech Batch, with `{"runs": N}` more running runs."""
    return json_response(_world().crowd(int(_body().get("runs") or 55)))


@control.post("/runs")
def create_run():
    body = _body()
    status = body.get("status")
    if status not in (None, "running", "queued"):
        raise ValueError('status must be "running", "queued" or absent')
    run = _world().create_run(_id(str(body.get("agentId", ""))), status, body.get("script"),
                              bool(body.get("autoplay", False)), body.get("issue"))
    return json_response(run, 201)


@control.post("/runs/<rid>/output")
def append_output(rid):
    """One envelope `{stream, chunk}`, a list `{chunks: [...]}`, `{ndjson_bytes: n}`
    of synthetic envelopes, or any non-JSON body appended to the log verbatim."""
    world, rid = _world(), _id(rid)
    if not request.is_json:
        return json_response(world.append_raw(rid, request.get_data()))
    body = _body()
    if "ndjson_bytes" in body:
        return json_response(world.append_bulk(rid, int(body["ndjson_bytes"])))
    chunks = body.get("chunks") or [body]
    answer = {}
    for item in chunks:
        stream, chunk = item.get("stream", "stdout"), item.get("chunk")
        if stream not in ("stdout", "stderr", "system") or not isinstance(chunk, str):
            raise ValueError('each chunk needs "chunk" (string) and "stream" stdout|stderr|system')
        answer = world.append_output(rid, stream, chunk)
    return json_response(answer)


@control.post("/runs/<rid>/finish")
def finish(rid):
    body = _body()
    return json_response(_world().finish_run(_id(rid), body.get("status", "succeeded"),
                                             _opt_int(body, "exitCode")))


@control.post("/runs/<rid>/play")
def play(rid):
    body = _body()
    return json_response(_world().play(_id(rid), _opt_int(body, "steps"),
                                       bool(body.get("finish", False))))


@control.post("/runs/<rid>/silence")
def silence(rid):
    body = _body()
    return json_response(_world().silence(_id(rid), _opt_int(body, "agoMs"),
                                          _opt_int(body, "snoozeMs")))


def _opt_int(body: dict, key: str) -> int | None:
    value = body.get(key)
    return None if value is None else int(value)
