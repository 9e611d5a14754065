"""htmx, served from our own origin out of its pinned PyPI package.

No CDN and no third-party file in the repository: the file comes from the
installed ``django-js-lib-htmx`` wheel (0BSD), whose version the URL carries
so that browsers may cache it for good.
"""

from importlib.resources import files

from flask import Blueprint, abort, send_file

from .extensions import limiter

bp = Blueprint("assets", __name__)

HTMX_VERSION = "2.0.3"
HTMX_FILE = files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"


@bp.get(f"/assets/htmx-{HTMX_VERSION}.min.js")
@limiter.exempt
def htmx_js():
    """The pinned htmx build, cacheable for a year."""
    if not HTMX_FILE.is_file():
        abort(404)
    response = send_file(str(HTMX_FILE), mimetype="text/javascript", max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
