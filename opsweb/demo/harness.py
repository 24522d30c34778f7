"""Test knobs around the /api routes: call counts, injected faults, latency, auth.

None of this is Paperclip; it is how tests and benches make the fake misbehave (a
company that is down, slow or answers garbage) and check what opsweb sent.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections import Counter, deque

FAULT_MODES = ("down", "slow", "401", "403", "404", "500", "malformed", "truncated", "huge")
FAULT_ERRORS = {
    "401": "Agent token did not verify; obtain fresh credentials and retry",
    "403": "User does not have access to this company",
    "404": "API route not found",
    "500": "Internal server error",
}
MALFORMED_BODY = b'[{"id": "b0000000", "status": running, } <html>Bad Gateway</html>'
DEFAULT_HUGE_BYTES = 12_000_000  # above the 8 MiB a careful client should refuse
DEFAULT_SLOW_MS = 5_000


class Harness:
    def __init__(self, token: str | None = None):
        self.token = token
        self._lock = threading.Lock()
        self._huge_cache: dict[int, bytes] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._counts: Counter[str] = Counter()
            self._with_auth: Counter[str] = Counter()
            self._without_auth: Counter[str] = Counter()
            self._recent: deque[dict] = deque(maxlen=500)
            self._faults: dict[str | None, dict] = {}  # None = every /api route
            self.latency_ms = 0

    # ---- calls ------------------------------------------------------------------------
    def record(self, key: str, method: str, path: str, query: str, has_auth: bool) -> dict:
        entry = {"key": key, "method": method, "path": path, "query": query,
                 "authorization": has_auth, "status": None}
        with self._lock:
            self._counts[key] += 1
            (self._with_auth if has_auth else self._without_auth)[key] += 1
            self._recent.append(entry)
        return entry

    def calls(self) -> dict:
        with self._lock:
            return {"total": sum(self._counts.values()), "counts": dict(self._counts),
                    "withAuthorization": dict(self._with_auth),
                    "withoutAuthorization": dict(self._without_auth),
                    "recent": list(self._recent)}

    # ---- faults -----------------------------------------------------------------------
    def set_fault(self, company_id: str | None, mode: str | None, delay_ms: int | None = None,
                  size_bytes: int | None = None) -> None:
        if mode is not None and mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)} or null")
        with self._lock:
            if mode is None:
                self._faults.pop(company_id, None)
            else:
                self._faults[company_id] = {
                    "mode": mode, "delayMs": DEFAULT_SLOW_MS if delay_ms is None else delay_ms,
                    "sizeBytes": size_bytes or DEFAULT_HUGE_BYTES}

    def faults(self) -> dict:
        with self._lock:
            return {"global": self._faults.get(None),
                    "companies": {k: v for k, v in self._faults.items() if k is not None},
                    "latencyMs": self.latency_ms}

    def fault_for(self, company_id: str | None) -> dict | None:
        """The global fault wins over a company's own."""
        with self._lock:
            return self._faults.get(None) or (self._faults.get(company_id) if company_id else None)

    def huge_body(self, template: dict, size_bytes: int) -> bytes:
        """A valid JSON array of about `size_bytes`, copies of `template` with fresh ids."""
        with self._lock:
            if size_bytes in self._huge_cache:
                return self._huge_cache[size_bytes]
        one = json.dumps(template, ensure_ascii=False, separators=(",", ":"))
        marker = "@@ID@@"
        one = one.replace(json.dumps(template.get("id", "")), json.dumps(marker), 1) \
            if "id" in template else one
        count = max(1, size_bytes // max(1, len(one.encode("utf-8"))) + 1)
        items = (one.replace(marker, f"f{i:07x}-0000-4000-8000-000000000000") for i in range(count))
        body = ("[" + ",".join(items) + "]").encode("utf-8")
        with self._lock:
            self._huge_cache[size_bytes] = body
        return body

    # ---- auth -------------------------------------------------------------------------
    def auth_error(self, header: str | None) -> str | None:
        """Paperclip's 401 message for this Authorization header, or None if it passes.

        With no token configured the server is local_trusted: no header needed, but a
        bearer that is sent is still checked (and fails), as the real server does.
        """
        if header is None or not header.lower().startswith("bearer"):
            return "Unauthorized" if self.token else None
        value = header[len("bearer"):].strip()
        if not value:
            return "Empty bearer token; provide valid agent credentials and retry"
        if self.token is None or not hmac.compare_digest(value.encode(), self.token.encode()):
            return "Agent token did not verify; obtain fresh credentials and retry"
        return None
