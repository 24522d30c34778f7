"""Compression of the standalone app's answers (page, fragments, twins, static files)
with Flask-Compress: brotli when the client asks for it, else gzip. Embedded, the host
decides (its own Flask-Compress, or its proxy), so init_app leaves this alone."""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress

# What opsweb answers with; the raw NDJSON download is streamed as it is read.
MIMETYPES = ["text/html", "text/css", "text/plain", "text/javascript",
             "application/javascript", "application/json"]


def enable(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # static files are streamed from disk: compressed as streams, gzip included
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["opsweb_panel.static"])
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    # brotli's quality 5 costs about what gzip -6 does on a panel and saves ~10 % more
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    Compress(app)
