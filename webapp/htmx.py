"""The one place that decides between a full page and an HTMX fragment.

Every view renders through ``render()``: a plain request, a boosted request
and a history restore get the whole page; a targeted HTMX request gets only
the named blocks of the *same* template (jinja2-fragments), so the page and
its fragments can never drift apart.
"""

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_blocks


def is_htmx_request() -> bool:
    """True for an HTMX request that swaps a fragment, not a whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, *, blocks: tuple[str, ...] = (), status: int = 200, **context) -> Response:
    """Render ``template`` whole, or only ``blocks`` of it for an HTMX request."""
    if blocks and is_htmx_request():
        return fragment_response(render_fragment(template, list(blocks), **context), status)
    return fragment_response(render_template(template, **context), status)


def render_fragment(template: str, blocks: list[str], **context) -> str:
    """Only the named blocks of a page template, e.g. for out-of-band swaps."""
    return render_blocks(template, blocks, **context)


def fragment_response(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str) -> Response:
    """Post/Redirect/Get: a 303 so the browser follows with a GET."""
    response = redirect(location, code=303)
    response.vary.add("HX-Request")
    return response
