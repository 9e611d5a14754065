"""Rendered list pages, kept in this process under the person's data version.

A list page depends on the person's tasks, lists and labels, which bump
``users.data_version`` in the same transaction as any change (database
triggers: see ``models.DATA_VERSION_TRIGGERS``), on their time zone and
today's date (due badges, Today and Upcoming), their address, and the URL.
All of that is the cache key, so a page is served from here only while
nothing it shows can have changed, whichever process or tool made the
change; a stale entry is simply never asked for again and ages out.

Two things on the page belong to the request, not the data: the CSRF token,
which is swapped in on the way out (the page is stored with a placeholder),
and flashed messages or an Undo offer, whose pages are never stored or
served from here.

Each worker process has its own cache, bounded by ``PAGE_CACHE_MB``
(0 turns it off). On a hit the request costs the log-in check (one
statement) and a string replace instead of two queries and a render.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..htmx import is_htmx_request
from .listview import person_today

# Stands for the CSRF token inside a stored page; random per process, so no
# text a person types can ever match it.
PLACEHOLDER = f"csrf-{secrets.token_hex(16)}-token"
PLACEHOLDER_BYTES = PLACEHOLDER.encode()
CSRF_FIELD = "csrf_token"
SIGNED_TOKENS_MAX = 10_000


class PageCache:
    """A byte-bounded LRU map of page keys to HTML."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.used = 0
        self.hits = 0
        self.misses = 0
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        # A session's CSRF secret -> its signed form for pages. Tokens do not
        # expire (WTF_CSRF_TIME_LIMIT is None: they live with the session), so
        # one signature serves every page of that session, instead of an HMAC
        # per request.
        self.signed_tokens: dict[str, str] = {}

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: tuple, page: bytes) -> None:
        size = len(page)
        if size > self.max_bytes // 4:
            return  # one page must not push out everything else
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.used -= len(old)
            self._pages[key] = page
            self.used += size
            while self.used > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self.used -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.used = 0
            self.signed_tokens.clear()

    def csrf_token(self) -> str:
        """This session's CSRF token for a page, as ``generate_csrf`` makes it
        (and made available to templates the same way), signed once per
        session secret."""
        if CSRF_FIELD in g:
            return g.get(CSRF_FIELD)
        secret = session.get(CSRF_FIELD)
        signed = self.signed_tokens.get(secret) if isinstance(secret, str) else None
        if signed is None:
            signed = generate_csrf()
            secret = session.get(CSRF_FIELD)  # made by generate_csrf if there was none
            if len(self.signed_tokens) >= SIGNED_TOKENS_MAX:
                self.signed_tokens.clear()
            self.signed_tokens[secret] = signed
        else:
            setattr(g, CSRF_FIELD, signed)
        return signed


def cache_for(app) -> PageCache | None:
    """The app's page cache (made at first use), or None when PAGE_CACHE_MB is 0."""
    cache = app.extensions.get("docket.pagecache")
    if cache is None:
        megabytes = app.config.get("PAGE_CACHE_MB", 0)
        if not megabytes:
            return None
        cache = app.extensions.setdefault("docket.pagecache", PageCache(int(megabytes * 1024 * 1024)))
    return cache


def _key() -> tuple:
    user = current_user._get_current_object()  # once, not through the proxy each time
    environ = request.environ  # not request.headers: see is_htmx_request
    return (
        user.id,
        user.data_version,
        user.email,
        user.timezone,
        person_today(),
        request.host,
        request.full_path,
        is_htmx_request(),
        environ.get("HTTP_HX_BOOSTED") == "true",
        environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") == "true",
    )


def serve(render: Callable[[], Response], *, storable: bool = True) -> Response:
    """The page ``render`` would give, from the cache when nothing it shows has
    changed. ``storable=False`` for a page that carries something of this
    request only (an Undo offer)."""
    cache = cache_for(current_app._get_current_object())
    if cache is None or not storable or session.get("_flashes"):
        return render()
    key = _key()
    stored = cache.get(key)
    token = cache.csrf_token()
    if stored is not None:
        response = make_response(stored.replace(PLACEHOLDER_BYTES, token.encode()))
        response.vary.add("HX-Request")
        return response
    response = render()
    if response.status_code == 200 and response.mimetype == "text/html" and not response.direct_passthrough:
        page = response.get_data()
        if PLACEHOLDER_BYTES not in page and not session.get("_flashes"):
            cache.put(key, page.replace(token.encode(), PLACEHOLDER_BYTES))
    return response
