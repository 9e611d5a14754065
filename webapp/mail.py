"""Outgoing mail.

Messages are built with the standard library's ``email.message.EmailMessage``
and sent with ``smtplib`` to the server in ``SMTP_URL`` (``smtp://``,
``smtps://`` or ``smtp+starttls://``). With no SMTP configured (a laptop),
each message is written to the log instead, links and all.

Sending happens on a small background pool, so a request never waits for the
mail server and "forgot password" answers in the same time whether or not an
account exists. A failure is logged; it never becomes a 500.

Links in a message come only from ``link()``, which builds them on
``DOCKET_BASE_URL``: the request's Host header, which a client can forge,
never reaches a mail.
"""

import logging
import os
import smtplib
import ssl
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from .config import SmtpSettings

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pending: set[Future] = set()


def link(endpoint: str, **values) -> str:
    """An absolute URL for a mail: DOCKET_BASE_URL plus the route's path.

    The path comes from the URL map alone, so this works outside a request
    too (``flask users reset-link``), and a request's own host or script
    root never leaks in: DOCKET_BASE_URL already names where Docket lives."""
    adapter = current_app.url_map.bind("docket.invalid")
    return current_app.config["DOCKET_BASE_URL"] + adapter.build(endpoint, values)


def build(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="docket")
    message.set_content(body)
    return message


def deliver(message: EmailMessage, smtp: SmtpSettings | None) -> None:
    """Hand one message to the SMTP server now (or to the log without one)."""
    if smtp is None:
        log.info("mail (no SMTP_URL set, so it is logged instead of sent):\n%s", message.as_string())
        return
    if smtp.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if smtp.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


def _deliver_logged(message: EmailMessage, smtp: SmtpSettings | None) -> None:
    try:
        deliver(message, smtp)
    except (OSError, smtplib.SMTPException) as error:
        log.error("could not send mail %r to %s: %s", message["Subject"], message["To"], error)


def _after_fork_in_child() -> None:
    """A forked worker starts with no pool: the parent's threads did not come along."""
    global _pool, _lock
    _lock = threading.Lock()
    _pool = None
    _pending.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docket-mail")
        return _pool


def send(to: str, subject: str, body: str) -> None:
    """Queue a plain-text mail; it goes out in the background."""
    message = build(to, subject, body)
    future = _executor().submit(_deliver_logged, message, current_app.config["SMTP"])
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait_until_sent(timeout: float = 10.0) -> bool:
    """Block until every queued mail has been handed over (tests, shutdown).
    True when none is left."""
    with _lock:
        pending = set(_pending)
    if not pending:
        return True
    _, not_done = wait(pending, timeout=timeout)
    return not not_done
