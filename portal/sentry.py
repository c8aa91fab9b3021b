"""Error reports to Sentry when SENTRY_DSN is set (web processes and Celery workers alike).

No personal data leaves: sentry-sdk's own switch for it is off (no cookies, no IP address, no
user), request bodies and query strings are never read, stack frames carry no local variables,
and what is left (the URL's path, exception messages, breadcrumbs) has e-mail addresses replaced
before the event is sent. Customers' ticket texts, names and addresses stay in the portal."""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_KEPT_HEADERS = {"User-Agent", "Content-Type", "Content-Length", "Host"}


def _clean(text: Any) -> Any:
    return _EMAIL.sub("[email]", text) if isinstance(text, str) else text


def scrub(event: Any, hint: Any = None) -> Any:
    """The event without anything that could name or reach a person."""
    event.pop("user", None)
    # A command line can name a person (manage.py … --email); the program's name is enough.
    extra = event.get("extra")
    if isinstance(extra, dict) and isinstance(extra.get("sys.argv"), list):
        extra["sys.argv"] = extra["sys.argv"][:1]
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = _clean(request["url"].split("?", 1)[0])
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k in _KEPT_HEADERS}
    if "message" in event:
        event["message"] = _clean(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry["message"] = _clean(logentry.get("message"))
        logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _clean(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb["message"] = _clean(crumb.get("message"))
        crumb.pop("data", None)
    return event


def sentry_init(dsn: str, *, environment: str, release: str = "") -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub,
    )
