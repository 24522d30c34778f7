"""Static files under versioned URLs, cached for a year.

`ow_static(name)` gives `/…/static/opsweb/<name>?v=<digest of its content>`; an answer
to a URL whose `v` matches the file's current content is immutable, so a repeat visit
fetches no static byte, and a new release (new content, new `v`) is fetched at once.
A URL without `v` (a host page that wrote the path by hand) keeps Flask's default:
revalidated on every use. Works the same embedded in a host app: it hangs off the
panel blueprint, not off the app.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, request, url_for

YEAR = 365 * 24 * 3600
# opsweb's own stylesheet and scripts explain themselves in comments; a browser needs
# none of them (a third of each file, 3 KB of a first load): whole-line // comments
# and /* */ comments are left out of what is sent. The vendored htmx is sent as it is.
_LEAN = {".css": re.compile(r"/\*.*?\*/\n?", re.S), ".js": re.compile(r"^[ \t]*//.*\n", re.M)}


@lru_cache(maxsize=None)
def digest(folder: str, filename: str) -> str | None:
    path = Path(folder, filename)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=16)
def lean(folder: str, filename: str, version: str | None) -> bytes:
    """The file as sent (`version`: its digest, so an edited file is read again)."""
    text = Path(folder, filename).read_text(encoding="utf-8")
    return _LEAN[Path(filename).suffix].sub("", text).encode()


def _own(filename: str) -> bool:
    return filename.startswith("opsweb") and Path(filename).suffix in _LEAN


def register(blueprint: Blueprint) -> None:
    endpoint = f"{blueprint.name}.static"

    def ow_static(filename: str) -> str:
        return url_for(endpoint, filename=filename,
                       v=digest(blueprint.static_folder, filename))

    @blueprint.after_request
    def immutable(response):
        if request.endpoint != endpoint or response.status_code != 200:
            return response
        filename = (request.view_args or {}).get("filename", "")
        version = request.args.get("v")
        current = digest(blueprint.static_folder, filename)
        if _own(filename):
            response.direct_passthrough = False
            response.set_data(lean(blueprint.static_folder, filename, current))
        if version and version == current:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response

    blueprint.add_app_template_global(ow_static, "ow_static")
