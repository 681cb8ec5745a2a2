"""The pages people use in a browser: the same services as the API, behind a login session.

Every page module owns one blueprint; ``register`` installs them with the security headers
(a content security policy that admits only this server's own scripts, styles and images, so
the pages work on an intranet with no request to the internet), the language switch and a
``Server-Timing`` header that the page benchmark reads.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, g, redirect, request, url_for

from casemgr.i18n import LOCALES
from casemgr.web import (
    cases,
    credit,
    dashboards,
    deadlines,
    documents,
    draws,
    enterprises,
    inspections,
    legal,
    linking,
    nav,
    pages,
    tasks,
)

BLUEPRINTS = (
    pages.bp,
    documents.bp,
    enterprises.bp,
    cases.bp,
    deadlines.bp,
    linking.bp,
    credit.bp,
    inspections.bp,
    draws.bp,
    dashboards.bp,
    tasks.bp,
)

# Content security policy (W3C CSP Level 3): no inline script, no inline style element, nothing
# from another origin. Charts and the graph view draw on canvas from vendored libraries.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
LANGUAGE_COOKIE = "lang"


def register(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    nav.register(app)
    legal.register(app)  # legal_basis, rule_title, rule_basis for the templates

    @app.before_request
    def _start_clock() -> None:
        g.page_started = time.perf_counter()

    @app.after_request
    def _security_headers(response: Any) -> Any:
        headers = response.headers
        if not request.path.startswith("/api/docs"):
            # Swagger UI needs its own inline bootstrap script; every other page is strict.
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        started = g.get("page_started")
        if started is not None:
            elapsed = (time.perf_counter() - started) * 1000
            headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response

    @app.get("/lang/<code>")
    def switch_language(code: str) -> Any:
        """Remember the chosen language (界面语言) in a cookie and go back where the user was."""
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("pages.home")
        response = redirect(target)
        if code in LOCALES:
            response.set_cookie(
                LANGUAGE_COOKIE,
                code,
                max_age=365 * 86400,
                httponly=True,
                samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response
