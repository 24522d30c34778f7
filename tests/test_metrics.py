"""/metrics tells Prometheus what the panel shows, so alerts need no browser."""
from prometheus_client.parser import text_string_to_metric_families


def scrape(panel):
    resp = panel.get("/metrics")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    return {m.name: m for m in text_string_to_metric_families(resp.text)}


def samples(family, **labels):
    return [s.value for s in family.samples
            if all(s.labels.get(k) == v for k, v in labels.items())]


ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"


def test_metrics_count_runs_silence_and_upstream_calls(demo, panel):
    panel.get("/operations/agents")
    m = scrape(panel)
    api = panel.get("/api/operations/agents").json()["runs"]
    assert sum(samples(m["opsweb_runs"])) == len(api)
    assert samples(m["opsweb_runs"], company_id=ACME, adapter="claude_local", status="queued") == [1]
    assert samples(m["opsweb_runs_by_silence"], level="critical") == [1]
    assert samples(m["opsweb_runs_by_silence"], level="suspicious") == [1]
    oldest = samples(m["opsweb_oldest_silence_seconds"], company_id=GLOBEX)[0]
    assert oldest > 4 * 3600
    assert samples(m["opsweb_company_up"], company_id=ACME) == [1]
    assert samples(m["opsweb_company_info"], company_id=ACME, company="Acme Ops") == [1]
    assert sum(samples(m["opsweb_upstream_calls"])) >= 2


def test_a_failing_company_shows_in_metrics(demo, panel):
    demo.control("POST", "/faults", companyId=GLOBEX, mode="500")
    m = scrape(panel)
    assert samples(m["opsweb_company_up"], company_id=GLOBEX) == [0]
    assert samples(m["opsweb_upstream_errors"], kind="UpstreamError")


def test_two_companies_with_one_name_stay_apart(hostile, panel_for):
    from hostile_upstream import COMPANY, live_run
    twin = "c0ffee00-0000-4000-8000-0000000000bb"
    hostile.companies = [{"id": COMPANY, "name": "Ops"}, {"id": twin, "name": "Ops"}]
    hostile.live_runs[twin] = [live_run(2, companyId=twin), live_run(3, companyId=twin)]
    m = scrape(panel_for(hostile.url))
    assert samples(m["opsweb_runs"], company_id=COMPANY, status="running") == [1]
    assert samples(m["opsweb_runs"], company_id=twin, status="running") == [2]
    assert samples(m["opsweb_company_up"]) == [1, 1]
    assert samples(m["opsweb_company_info"], company="Ops") == [1, 1]
