"""Headers that every response carries, full pages, fragments and errors alike."""

from flask import current_app

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


EVERY_RESPONSE = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
NO_STORE = ("Cache-Control", "no-store")


def apply_security_headers(response):
    """Add each header the response does not set itself (a view may set its
    own Referrer-Policy or Cache-Control, say)."""
    headers = response.headers
    # One pass over the few headers there are, rather than a lookup per
    # header (each miss raises and catches an exception in werkzeug).
    present = {name.lower() for name, _ in headers.items()}
    wanted = list(EVERY_RESPONSE)
    if current_app.config.get("DOCKET_HTTPS"):
        wanted.append(HSTS)
    html = response.mimetype == "text/html"
    if html:
        # Pages hold private data: never let a shared cache keep them.
        wanted.append(NO_STORE)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    if html:
        response.vary.add("HX-Request")
    return response
