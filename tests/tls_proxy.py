"""A small reverse proxy (stdlib) as one stands in front of a panel that terminates
TLS: it forwards each request to `target`, adding X-Forwarded-For (the client's
address), X-Forwarded-Proto: https and X-Forwarded-Host (the Host the client sent),
overwriting what the client sent, as the README's nginx lines do. `visitor`: the
address it says the client has (all clients of a test are 127.0.0.1)."""
from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length"}


class TlsProxy:
    def __init__(self, target: str, visitor: str | None = None):
        where = urlsplit(target)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                          _handler(where.hostname, where.port, visitor))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(host: str, port: int, visitor: str | None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                       and not k.lower().startswith("x-forwarded-")}
            headers.update({"X-Forwarded-For": visitor or self.client_address[0],
                            "X-Forwarded-Proto": "https",
                            "X-Forwarded-Host": self.headers.get("Host", ""),
                            "Content-Length": str(len(body))})
            upstream = http.client.HTTPConnection(host, port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                content = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():  # every Set-Cookie, one by one
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _forward
    return Handler
