"""Rate limits guard actions, not reading: every limit Docket declares is for
POST, and there are no application-wide or default limits, the only ones the
limiter's middleware adds to a route's own. That is what lets GET and HEAD
skip the middleware (extensions.DocketLimiter); this fails the day either
stops being true."""

from flask_limiter.util import get_qualified_name

from webapp.extensions import SAFE_METHODS, limiter


def test_every_declared_limit_is_for_a_method_that_changes_something(app):
    routes = {}  # a view's qualified name -> the methods its URLs answer
    for rule in app.url_map.iter_rules():
        name = get_qualified_name(app.view_functions[rule.endpoint])
        routes.setdefault(name, set()).update(rule.methods - {"OPTIONS"})  # OPTIONS: Flask's own answer
    assert limiter.limit_manager.application_limits == [] and limiter.limit_manager.default_limits == []
    declared = limiter.limit_manager._decorated_limits
    assert sum(len(limits) for limits in declared.values()) >= 5  # log-in, sign-up, codes, forgot, re-checks
    for view, limits in declared.items():
        assert view in routes, view
        for limit in limits:
            # A limit without methods applies to whatever its route answers.
            methods = {method.upper() for method in limit.methods} if limit.methods else routes[view]
            assert methods and not methods & SAFE_METHODS, f"{view}: {limit} would count {methods & SAFE_METHODS}"


def test_reading_is_not_counted_but_posting_still_is(app, client, user):
    for _ in range(30):
        assert client.get("/tasks").status_code == 200
    client.post("/auth/logout")
    answers = [client.post("/auth/login", data={"email": "ada@example.com", "password": "wrong"}).status_code
               for _ in range(15)]
    assert 429 in answers
