"""Refuse the same upload twice in a row: a double-click, or a reload that re-posts.

The mark lives in the rate limiter's storage, which every process shares
when it is Redis, and taking it is one atomic increment, so of two
concurrent requests with the same file only one gets through.
"""

import hashlib
import logging

from limits import RateLimitItemPerSecond

from ..extensions import limiter

log = logging.getLogger(__name__)
WINDOW = RateLimitItemPerSecond(1, 10)


def _key(user_id: str, data: bytes) -> tuple[str, str, str]:
    return "import", user_id, hashlib.sha256(data).hexdigest()


def claim(user_id: str, data: bytes) -> bool:
    """True for the first sending of ``data`` by this person in the window; False for a repeat."""
    if not limiter.enabled:
        return True
    try:
        return limiter.limiter.hit(WINDOW, *_key(user_id, data))
    except Exception:  # the storage is down: importing beats refusing
        log.warning("import: the duplicate check is unavailable", exc_info=True)
        return True


def release(user_id: str, data: bytes) -> None:
    """The import failed after all: let the same file be tried again at once."""
    if not limiter.enabled:
        return
    try:
        limiter.limiter.clear(WINDOW, *_key(user_id, data))
    except Exception:
        log.warning("import: could not release the duplicate check", exc_info=True)
