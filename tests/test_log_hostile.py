"""A Paperclip that ignores `offset` on /log (issue 10, item 3): every route that
loops over log pages stops within its bounds and answers 502, saying why, instead of
probing for ever or streaming gigabytes. The stand-in is a stdlib HTTP server on
127.0.0.1; the panel talks to it over real HTTP."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

RUN = "c0ffee01-0000-4000-8000-000000000001"
AGENT = "c0ffee02-0000-4000-8000-000000000002"
LOG = "".join(json.dumps({"ts": "2026-11-30T04:00:00.000Z", "stream": "stdout",
                          "chunk": f"tick {i}\n", "seq": i}) + "\n" for i in range(20_000))  # ~1.6 MB


class IgnoresOffset(BaseHTTPRequestHandler):
    """Answers every /log request from byte 0. `mode` (set by the test): "advance" names
    a nextOffset as if it had read at offset; "stuck" names the same one every time."""
    mode = "advance"
    log_requests: list[str] = []
    status = "succeeded"

    def log_message(self, *args):  # quiet
        pass

    def _json(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == f"/api/heartbeat-runs/{RUN}":
            return self._json({"id": RUN, "agentId": AGENT, "status": type(self).status,
                               "logBytes": len(LOG) if type(self).status == "succeeded" else None,
                               "lastOutputBytes": 263, "finishedAt": None, "error": None})
        if url.path == f"/api/agents/{AGENT}":
            return self._json({"id": AGENT, "name": "Offset Ignorer", "adapterType": "process"})
        if url.path == f"/api/heartbeat-runs/{RUN}/log":
            type(self).log_requests.append(query.get("offset", "0"))
            limit = int(query.get("limitBytes", 256_000))
            offset = int(query.get("offset", 0))
            content = LOG[:limit]
            nxt = offset + len(content) if type(self).mode == "advance" else len(content)
            return self._json({"runId": RUN, "store": "local_file", "content": content,
                               "nextOffset": nxt})
        return self._json({"error": "API route not found"}, 404)


@pytest.fixture
def hostile():
    IgnoresOffset.log_requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), IgnoresOffset)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield IgnoresOffset, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["advance", "stuck"])
@pytest.mark.parametrize("status", ["running", "succeeded"])
@pytest.mark.parametrize("path,headers", [
    (f"/api/operations/runs/{RUN}/log", {}),
    (f"/operations/runs/{RUN}/log", {"HX-Request": "true"}),
    (f"/api/operations/runs/{RUN}/log?cursor=0", {}),
    (f"/api/operations/runs/{RUN}/log.ndjson", {}),
    (f"/api/operations/runs/{RUN}/log.txt", {}),
    (f"/api/operations/runs/{RUN}/search?q=tick", {}),
    (f"/operations/runs/{RUN}/search?q=tick", {"HX-Request": "true"}),
], ids=["tail", "dialog", "follow", "ndjson", "txt", "search", "search-page"])
def test_a_server_ignoring_offset_gets_a_502_that_says_so(hostile, panel_for, mode, status,
                                                          path, headers):
    handler, url = hostile
    handler.mode, handler.status = mode, status
    panel = panel_for(url)
    resp = panel.get(path, headers=headers)
    assert resp.status_code == 502, resp.text[:300]
    said = resp.json()["error"] if path.startswith("/api") else resp.text
    assert "advance" in said or "did not lead to its end" in said or "did not end" in said
    assert len(handler.log_requests) <= 200  # not ~39,000
    assert all(len(offset) <= 16 for offset in handler.log_requests)  # no thousand-digit offsets
    assert len(resp.content) < 100_000  # not 1.26 GB
