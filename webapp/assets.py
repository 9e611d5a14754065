"""Static files: served under versioned URLs, cached for a year, compressed on the wire.

- htmx comes from its pinned PyPI package (``django-js-lib-htmx``, 0BSD), never
  a CDN and never a copy in the repository; its version is in its URL.
- Our own files get ``?v=<hash of the content>`` from ``url_for('static', ...)``,
  so a changed file has a new URL and browsers may keep each version for good.
- Every page and fragment is compressed when the client accepts it
  (Flask-Compress: zstd, brotli or gzip).
"""

import hashlib
import os
from importlib.resources import files

from flask import Blueprint, Flask, abort, redirect, request, send_file, url_for
from flask_compress import Compress

from .extensions import limiter

bp = Blueprint("assets", __name__)
compress = Compress()

HTMX_VERSION = "2.0.3"
HTMX_FILE = files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"
FOREVER = "public, max-age=31536000, immutable"


@bp.get(f"/assets/htmx-{HTMX_VERSION}.min.js")
@limiter.exempt
def htmx_js():
    """The pinned htmx build, cacheable for a year."""
    if not HTMX_FILE.is_file():
        abort(404)
    response = send_file(str(HTMX_FILE), mimetype="text/javascript", max_age=31536000)
    response.headers["Cache-Control"] = FOREVER
    return response


@bp.get("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico on their own; ours is the versioned SVG icon."""
    return redirect(url_for("static", filename="icon.svg"), code=301)


_versions: dict[str, tuple[float, str]] = {}


def file_version(folder: str, filename: str) -> str | None:
    """A short hash of the file's content, recomputed only when the file changes."""
    path = os.path.join(folder, filename)
    try:
        modified = os.stat(path).st_mtime
    except OSError:
        return None
    known = _versions.get(path)
    if known is None or known[0] != modified:
        with open(path, "rb") as handle:
            known = (modified, hashlib.sha256(handle.read()).hexdigest()[:12])
        _versions[path] = known
    return known[1]


def register(app: Flask) -> None:
    # Whole bodies only: compressing a streamed file would leave it unclosed,
    # and static files are cached for good anyway.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code in (200, 304):
            response.headers["Cache-Control"] = FOREVER
        return response
