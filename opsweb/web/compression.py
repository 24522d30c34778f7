"""Compression of the standalone app's answers (page, fragments, twins, static files)
with Flask-Compress: brotli when the client asks for it, else gzip. Embedded, the host
decides (its own Flask-Compress, or its proxy), so init_app leaves this alone."""
from __future__ import annotations

import brotli
from flask import Flask, current_app, request
from flask_compress import Compress

from opsweb.web.static_assets import digest

# What opsweb answers with; the raw NDJSON download is streamed as it is read.
MIMETYPES = ["text/html", "text/css", "text/plain", "text/javascript",
             "application/javascript", "application/json"]
STATIC = "opsweb_panel.static"


def enable(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # static files are streamed from disk: compressed as streams, gzip included
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", [STATIC])
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    # brotli's quality 5 costs about what gzip -6 does on a panel and saves ~10 % more
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    Compress(app)
    # registered after Compress, so it runs before it (Flask runs these in reverse)
    app.after_request(_BestBrotli().static)


class _BestBrotli:
    """A versioned static file never changes, so it is compressed once at brotli's best
    (quality 11: 3 KB less on a first load than quality 5, which costs 30 ms a file)
    and kept; Flask-Compress leaves an answer that has its Content-Encoding alone."""

    def __init__(self):
        self.packed: dict[tuple[str, str], bytes] = {}

    def static(self, response):
        if (request.endpoint != STATIC or response.status_code != 200
                or not request.accept_encodings["br"]):
            return response
        # only the current version: any other v would let a visitor grow the dict
        filename = (request.view_args or {}).get("filename", "")
        version = request.args.get("v")
        if not version or version != digest(current_app.blueprints["opsweb_panel"].static_folder,
                                            filename):
            return response
        key = (filename, version)
        if key not in self.packed:  # one per file and release
            response.direct_passthrough = False
            self.packed[key] = brotli.compress(response.get_data(), quality=11)
        response.set_data(self.packed[key])
        response.headers["Content-Encoding"] = "br"
        response.vary.add("Accept-Encoding")
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(f"{etag}:br")
        return response
