"""The one place that shapes a response: a redirect, a whole page, or fragments.

Views say what changed; ``respond`` decides how the browser gets it:

- a plain form post that succeeded: 303 to the page to show (Post/Redirect/Get);
- any other plain request, a boosted one or a history restore: the whole page;
- an HTMX request: only named blocks of the *same* template (jinja2-fragments),
  ``blocks`` for where the request aimed and ``also`` out of band, so the
  page and its fragments can never drift apart.

Which element a fragment lands in is said by the markup (``hx-target`` and
the ids in the template); Python never names a DOM id.
"""

from collections.abc import Callable

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_blocks


def is_htmx_request() -> bool:
    """True for an HTMX request that swaps a fragment, not a whole page."""
    # Read from the WSGI environ: werkzeug's headers.get raises and catches
    # an exception for each header that is absent, and this runs on every
    # request, mostly for headers that are.
    environ = request.environ
    return (
        environ.get("HTTP_HX_REQUEST") == "true"
        and environ.get("HTTP_HX_BOOSTED") != "true"
        and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def respond(
    template: str,
    *,
    blocks: tuple[str, ...] = (),
    also: tuple[str, ...] = (),
    redirect_to: str | None = None,
    status: int = 200,
    page: Callable[[], dict] | None = None,
    fragment: Callable[[], dict] | None = None,
    **context,
) -> Response:
    """Answer with ``template``: see the module docstring for which part.

    ``page`` supplies what only the whole page needs (say, the list of tasks
    behind a refused form) and ``fragment`` what only fragments need (say,
    fresh counts after a change), so neither answer pays for the other's.
    """
    if not (blocks or also) or not is_htmx_request():
        if redirect_to is not None and status < 400:
            return see_other(redirect_to)
        if page is not None:
            context.update(page())
        return _html(render_template(template, **context), status)
    if fragment is not None:
        context.update(fragment())
    body = render_blocks(template, list(blocks), **context) if blocks else ""
    if also:
        body += render_blocks(template, list(also), **context, oob=True)
    return _html(body, status)


def render(template: str, *, status: int = 200, **context) -> Response:
    """A whole page, whoever asks."""
    return respond(template, status=status, **context)


def nothing_to_swap() -> Response:
    """The page already shows the change (say, a drag-and-drop move)."""
    return Response(status=204)


def _html(body: str, status: int) -> Response:
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def see_other(location: str) -> Response:
    """Post/Redirect/Get: a 303 so the browser follows with a GET."""
    response = redirect(location, code=303)
    response.vary.add("HX-Request")
    return response
