"""The only code that speaks HTTP to Paperclip.

Everything here is about Paperclip's wire protocol: its URLs, its error shapes, its
quirks. Nothing above the port (opsweb/platform_port.py) may import this module, so
that swapping the platform means rewriting this file and the port, nothing else.
"""
from __future__ import annotations

import json
from typing import Any

import requests

from opsweb.platform_errors import (
    DEFAULT_LOG_PAGE_BYTES,
    MAX_LOG_PAGE_BYTES,
    BadResponse,
    Forbidden,
    NotFound,
    PlatformError,
    Rejected,
    Timeout,
    Unauthorized,
    Unreachable,
    UpstreamError,
    check_uuid,
)
from opsweb.runtime.deadline import Deadline, WatchedAdapter
from opsweb.runtime.redact import redact_url
from opsweb.i18n.said import Said

DEFAULT_TIMEOUT = 3.0
# A live-runs page or a run is a few KB; anything far bigger is a broken upstream,
# and reading it whole would hold the panel's worker hostage.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024


class PaperclipShell:
    """The platform port's operations over Paperclip's HTTP API: one
    `requests.Session`, one method per Paperclip route."""

    def __init__(self, base_url: str, token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, action_timeout: float | None = None):
        self.base_url = base_url.rstrip("/")
        # what messages name: never the credentials a URL may carry (redact.py)
        self.shown_url = redact_url(self.base_url)
        self.timeout = timeout
        # Stop and Reset may wait on Paperclip's graceful termination; give them longer.
        self.action_timeout = action_timeout or max(timeout, 10.0)
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        self._session.headers["User-Agent"] = "opsweb"
        if token:  # never an empty bearer: Paperclip rejects it with a 401
            self._session.headers["Authorization"] = f"Bearer {token}"
        # requests would otherwise honour HTTP(S)_PROXY for 127.0.0.1 too.
        self._session.trust_env = False
        self._session.mount("http://", WatchedAdapter())
        self._session.mount("https://", WatchedAdapter())

    # -- reads ---------------------------------------------------------------

    def health(self) -> dict:
        return self._call("GET", "/api/health")

    def list_companies(self) -> list[dict]:
        return self._call("GET", "/api/companies", expect=list)

    def list_live_runs(self, company_id: str) -> list[dict]:
        cid = check_uuid(company_id, "company id")
        return self._call("GET", f"/api/companies/{cid}/live-runs", expect=list)

    def get_run(self, run_id: str) -> dict:
        rid = check_uuid(run_id, "run id")
        return self._call("GET", f"/api/heartbeat-runs/{rid}")

    def get_run_log(self, run_id: str, offset: int = 0,
                    limit_bytes: int = DEFAULT_LOG_PAGE_BYTES) -> tuple[str, int | None]:
        """One byte-range page of the run's NDJSON log: (content, next_offset).

        next_offset is None at EOF (Paperclip omits the key). A queued run has no
        log yet; that is an empty page, not an error.
        """
        rid = check_uuid(run_id, "run id")
        params = {"offset": max(0, int(offset)),
                  "limitBytes": max(1, min(int(limit_bytes), MAX_LOG_PAGE_BYTES))}
        try:
            body = self._call("GET", f"/api/heartbeat-runs/{rid}/log", params=params)
        except NotFound as err:
            if err.upstream_message == "Run log not found":
                return "", None
            raise
        content = body.get("content")
        if not isinstance(content, str):
            raise BadResponse(Said("Paperclip at %(url)s sent a log page without content",
                                    url=self.shown_url))
        next_offset = body.get("nextOffset")
        return content, next_offset if isinstance(next_offset, int) else None

    def get_run_events(self, run_id: str, after_seq: int = 0, limit: int = 200) -> list[dict]:
        rid = check_uuid(run_id, "run id")
        params = {"afterSeq": max(0, int(after_seq)), "limit": max(1, min(int(limit), 1000))}
        return self._call("GET", f"/api/heartbeat-runs/{rid}/events", params=params, expect=list)

    def get_agent(self, agent_id: str) -> dict:
        aid = check_uuid(agent_id, "agent id")
        return self._call("GET", f"/api/agents/{aid}")

    def list_agents(self, company_id: str) -> list[dict]:
        cid = check_uuid(company_id, "company id")
        # no query parameters: Paperclip answers any with 400 "Unsupported query parameter"
        return self._call("GET", f"/api/companies/{cid}/agents", expect=list)

    def list_heartbeat_runs(self, company_id: str, agent_id: str | None = None,
                            limit: int = 100) -> list[dict]:
        """Full list rows, not summary=true: the summary nulls usageJson and resultJson,
        where tokens and cost live. Without a limit Paperclip returns every run the
        company ever had, so one is always sent."""
        cid = check_uuid(company_id, "company id")
        params = {"limit": max(1, min(int(limit), 1000))}
        if agent_id is not None:
            params["agentId"] = check_uuid(agent_id, "agent id")
        return self._call("GET", f"/api/companies/{cid}/heartbeat-runs", params=params,
                          expect=list)

    def get_issue(self, issue_id: str) -> dict:
        iid = check_uuid(issue_id, "issue id")
        return self._call("GET", f"/api/issues/{iid}")

    def cost_summary(self, company_id: str, since: str) -> dict:
        """Spent since `since` (ISO 8601) against the company's monthly budget. Without
        a `from`, Paperclip sums every cost event the company ever had."""
        cid = check_uuid(company_id, "company id")
        return self._call("GET", f"/api/companies/{cid}/costs/summary", params={"from": since})

    def costs_by_agent(self, company_id: str, since: str) -> list[dict]:
        """One row per agent with cost events since `since`, costliest first."""
        cid = check_uuid(company_id, "company id")
        return self._call("GET", f"/api/companies/{cid}/costs/by-agent", params={"from": since},
                          expect=list)

    def window_spend(self, company_id: str) -> list[dict]:
        """Rows per provider and window (5h, 24h, 7d, ending now); takes no range."""
        cid = check_uuid(company_id, "company id")
        return self._call("GET", f"/api/companies/{cid}/costs/window-spend", expect=list)

    def budget_overview(self, company_id: str) -> dict:
        """Budget policies with what each observed, and the open budget incidents."""
        cid = check_uuid(company_id, "company id")
        return self._call("GET", f"/api/companies/{cid}/budgets/overview")

    # -- actions -------------------------------------------------------------

    def cancel_run(self, run_id: str) -> dict:
        """Paperclip's graceful cancel: SIGTERM to the process group, grace, then
        SIGKILL, with its watchdog and checkpoints. Idempotent for finished runs."""
        rid = check_uuid(run_id, "run id")
        return self._call("POST", f"/api/heartbeat-runs/{rid}/cancel", body={},
                          timeout=self.action_timeout)

    def reset_agent_session(self, agent_id: str, task_key: str | None = None) -> dict:
        aid = check_uuid(agent_id, "agent id")
        # Paperclip requires a JSON object body; with none it answers 400.
        payload = {"taskKey": task_key} if task_key else {}
        return self._call("POST", f"/api/agents/{aid}/runtime-state/reset-session",
                          body=payload, timeout=self.action_timeout)

    def pause_agent(self, agent_id: str) -> dict:
        """Paperclip cancels the agent's runs (errorCode agent_paused) before answering,
        so it gets the action timeout. Idempotent: pausing a paused agent is a 200."""
        aid = check_uuid(agent_id, "agent id")
        return self._call("POST", f"/api/agents/{aid}/pause", body={},
                          timeout=self.action_timeout)

    def resume_agent(self, agent_id: str) -> dict:
        aid = check_uuid(agent_id, "agent id")
        return self._call("POST", f"/api/agents/{aid}/resume", body={},
                          timeout=self.action_timeout)

    # -- plumbing ------------------------------------------------------------

    def _call(self, method: str, path: str, *, params: dict | None = None,
              body: Any = None, expect: type = dict, timeout: float | None = None) -> Any:
        """One request, abandoned when `timeout` seconds have passed in total (not
        per socket read: a trickling answer must not hold a worker or a Stop)."""
        url = self.base_url + path
        timeout = timeout or self.timeout
        where = self.shown_url
        with Deadline(timeout) as deadline:
            try:
                # Redirects are not followed: a redirected POST was received, and
                # following it would send the action elsewhere (or not at all).
                resp = self._session.request(method, url, params=params, json=body,
                                             timeout=(min(timeout, 3.0), timeout), stream=True,
                                             allow_redirects=False)
                raw = _read_capped(resp)
            except (requests.RequestException, BadResponse) as err:
                if deadline.expired or isinstance(err, requests.Timeout):
                    raise Timeout(Said("Paperclip at %(url)s did not answer in %(seconds)s s",
                                       url=where, seconds=format(timeout, "g"))) from None
                if isinstance(err, BadResponse):
                    raise
                if isinstance(err, requests.ConnectionError):
                    # Refused: nothing left opsweb. Reset or aborted: the request may have
                    # been received, which makes an action's outcome unknown, not failed.
                    raise Unreachable(Said("Paperclip at %(url)s is unreachable (%(reason)s)",
                                           url=where, reason=_short_reason(err)),
                                      request_sent=not _refused(err)) from None
                raise BadResponse(Said("Paperclip at %(url)s sent a broken answer (%(reason)s)",
                                       url=where, reason=_short_reason(err))) from None
        if 300 <= resp.status_code < 400:
            raise BadResponse(Said("Paperclip at %(url)s answered %(request)s with a redirect"
                                   " (%(status)s to %(location)s); opsweb does not follow"
                                   " redirects: check OPSWEB_PAPERCLIP_URL", url=where,
                                   request=method + " " + path, status=resp.status_code,
                                   location=redact_url(resp.headers.get("Location", "?"))[:200]),
                              upstream_status=resp.status_code)
        if resp.status_code >= 400:
            raise _error_for(resp.status_code, _error_text(raw), where)
        try:
            body = _decode_json(raw)
        except ValueError:
            raise BadResponse(Said("Paperclip at %(url)s sent malformed JSON for %(path)s",
                                   url=where, path=path)) from None
        if not isinstance(body, expect):
            raise BadResponse(Said("Paperclip at %(url)s sent a %(sent)s where a %(expected)s"
                                   " was expected for %(path)s", url=where,
                                   sent=type(body).__name__, expected=expect.__name__, path=path))
        return body


def _read_capped(resp: requests.Response) -> bytes:
    chunks, total = [], 0
    for chunk in resp.iter_content(64 * 1024):
        total += len(chunk)
        if total > MAX_RESPONSE_BYTES:
            resp.close()
            raise BadResponse(Said("Paperclip sent more than %(mib)s MiB for one answer;"
                                   " refusing to read it", mib=MAX_RESPONSE_BYTES // 2**20))
        chunks.append(chunk)
    return b"".join(chunks)


def _decode_json(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8", errors="replace"))


def _error_text(raw: bytes) -> str | None:
    try:
        body = _decode_json(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"][:500]
    return None


def _error_for(status: int, upstream: str | None, base_url: str) -> PlatformError:
    kinds = {
        401: (Unauthorized, Said("Paperclip at %(url)s rejected opsweb's credentials (401)",
                                 url=base_url)),
        403: (Forbidden, Said("Paperclip at %(url)s refused access (403)", url=base_url)),
        404: (NotFound, None),
    }
    if status in kinds:
        kind, message = kinds[status]
    elif status in (400, 409, 422):
        kind, message = Rejected, Said("Paperclip refused the request (%(status)s)", status=status)
    else:
        kind, message = UpstreamError, Said("Paperclip at %(url)s failed (%(status)s)",
                                            url=base_url, status=status)
    if message is None:  # a 404: Paperclip's own words say what was not found
        message = upstream or Said("Not found in Paperclip")
    elif upstream:
        message = Said("%(problem)s: %(detail)s", problem=message, detail=upstream)
    return kind(message, upstream_status=status, upstream_message=upstream)


def _refused(err: Exception) -> bool:
    return "Connection refused" in str(err)


def _short_reason(err: Exception) -> str:
    text = str(err)
    for marker in ("Connection refused", "Connection reset", "Read timed out",
                   "Name or service not known", "IncompleteRead", "Connection aborted",
                   "RemoteDisconnected"):
        if marker in text:
            return marker.lower()
    return type(err).__name__
