"""The port is a real port: the shell implements every operation it names, and any
implementation (here the in-memory fake) drives the panel."""
from __future__ import annotations

import inspect
import uuid

import pytest
from bs4 import BeautifulSoup

from opsweb import create_app
from opsweb import platform_port as port
from tests.fake_platform import FakePlatform


def _operations(cls) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")}


def test_the_shell_implements_every_operation_of_the_port():
    platform = port.connect("http://127.0.0.1:9", None, 1.0)
    wanted = _operations(port.Platform)
    assert {"list_live_runs", "get_run_log", "cancel_run", "reset_agent_session"} <= set(wanted)
    for name, signature in wanted.items():
        implemented = getattr(type(platform), name, None)
        assert implemented is not None, f"the shell lacks {name}"
        assert list(inspect.signature(implemented).parameters) == list(signature.parameters), name
    assert isinstance(platform, port.Platform)


def test_the_fake_implements_every_operation_of_the_port():
    assert set(_operations(port.Platform)) <= set(_operations(FakePlatform))
    assert isinstance(FakePlatform(), port.Platform)


def test_the_panel_runs_on_any_platform_passed_in(tmp_path):
    company, agent, run = (str(uuid.uuid4()) for _ in range(3))
    fake = FakePlatform(companies=[{"id": company, "name": "Fake Co"}])
    fake.live_runs[company] = [{"id": run, "companyId": company, "agentId": agent,
                                "agentName": "fake-agent", "adapterType": "process",
                                "status": "running", "createdAt": "2026-11-30T00:00:00Z",
                                "startedAt": "2026-11-30T00:00:00Z",
                                "outputSilence": {"level": "ok", "silenceAgeMs": 1000}}]
    app = create_app({"OPSWEB_COMPANIES": (), "OPSWEB_INSTANCE_DIR": str(tmp_path),
                      "OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/audit.db"}, platform=fake)
    page = app.test_client().get("/operations/agents", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200
    rows = BeautifulSoup(page.text, "html.parser").select("[data-run-id]")
    assert [r["data-run-id"] for r in rows] == [run]
    assert "fake-agent" in rows[0].get_text()
    assert fake.counts["list_live_runs"] == 1


def test_errors_carry_what_callers_need_without_reading_messages():
    assert not port.Unreachable("x", request_sent=False).may_have_arrived
    assert port.Unreachable("x", request_sent=True).may_have_arrived
    assert port.Timeout("x").may_have_arrived
    assert port.UpstreamError("x", upstream_status=504).may_have_arrived
    assert not port.Rejected("x", upstream_status=409).may_have_arrived


def test_init_app_takes_a_fake_platform_and_a_clock(fake, tmp_path):
    from flask import Flask

    import opsweb
    from opsweb.runtime.clock import Clock
    from tests.conftest import FROZEN_AT

    host = Flask("host")
    host.config.update(SECRET_KEY="host-secret-0123456789", OPSWEB_COMPANIES=(),
                       OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db")
    clock = Clock(frozen_at=FROZEN_AT)
    opsweb.init_app(host, url_prefix="/ops", api_prefix="/api/ops", platform=fake, clock=clock)
    client = host.test_client()
    twin = client.get("/api/ops/agents").get_json()
    assert twin["errors"] == [] and {r["runId"] for r in twin["runs"]} == {
        r["id"] for runs in fake.live_runs.values() for r in runs}
    ages = {r["runId"]: r["ageSeconds"] for r in twin["runs"]}
    clock.advance(60)  # the panel's "now" is the clock passed in
    later = {r["runId"]: r["ageSeconds"] for r in client.get("/api/ops/agents").get_json()["runs"]}
    assert all(later[rid] == pytest.approx(ages[rid] + 60) for rid in ages if ages[rid] is not None)
    rid = next(iter(ages))
    stop = client.post(f"/api/ops/runs/{rid}/cancel", json={}).get_json()
    assert stop["result"] == "done" and fake.runs[rid]["status"] == "cancelled"
    assert fake.counts["cancel_run"] == 1
