import hashlib
import time
import zoneinfo
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from core.models import COUNTRY_DEFAULTS
from core.scopes import scopes_disabled
from core.selectors import memberships_for_user, user_has_totp

# Paths a member may reach before the MFA set-up that their customer requires.
_MFA_SETUP_ALLOWED = ("/accounts/", "/language/", "/static/", "/healthz", "/admin/logout/")
_LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def language_cookie_set(response, request, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _activity_key(session_key: str) -> str:
    # The session key is a credential: the cache (Redis in production) never holds it in clear.
    return "session-activity:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


class _RecentActivity:
    """The sessions this process saw written or already throttled, until when: in front of the
    shared cache, so a session's requests to one process cost a dictionary lookup, not a cache
    round trip each (Redis in production, files under var/ on one machine). A process that found
    another's mark remembers it for an interval from then, so "last seen" may lag by up to two
    intervals. Bounded: past MAX_SESSIONS the oldest half is forgotten, which only costs a cache
    read for those."""

    MAX_SESSIONS = 10_000

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def seen(self, key: str) -> bool:
        until = self._until.get(key)
        return until is not None and until > time.time()

    def remember(self, key: str) -> None:
        if len(self._until) >= self.MAX_SESSIONS:
            for old in list(self._until)[: self.MAX_SESSIONS // 2]:
                del self._until[old]
        self._until[key] = time.time() + settings.SESSION_ACTIVITY_INTERVAL


_recent_activity = _RecentActivity()


def session_activity_recorded(session_key: str) -> None:
    """The session's activity was just written: the next ACTIVITY_INTERVAL needs no write."""
    key = _activity_key(session_key)
    cache.set(key, 1, settings.SESSION_ACTIVITY_INTERVAL)
    _recent_activity.remember(key)


def session_activity_on_sign_in(sender, request, **kwargs) -> None:
    """allauth wrote the new session's row as it signed the person in (user_logged_in)."""
    if request.session.session_key:
        session_activity_recorded(request.session.session_key)


class SessionActivityMiddleware:
    """The "last seen", address and browser of each signed-in session (the sessions list of the
    profile page and of admin), written at most once per SESSION_ACTIVITY_INTERVAL per session.

    allauth's own middleware rewrites the session's row inside a transaction on every request, so
    every page read was a database write. A session that changes address or browser within the
    interval is seen at the next write (allauth then sends its session_client_changed signal)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.session_key
            and self._due(session.session_key)
        ):
            UserSession.objects.create_from_request(request, user=user, session=session)
        return self.get_response(request)

    @staticmethod
    def _due(session_key: str) -> bool:
        key = _activity_key(session_key)
        if _recent_activity.seen(key):
            return False
        try:
            due = cache.add(key, 1, settings.SESSION_ACTIVITY_INTERVAL)
        except Exception:  # noqa: BLE001 - any cache failure (Redis down): write, as allauth did
            # The pages keep working without the cache; they only lose the shared throttle (each
            # process still writes a session at most once per interval).
            due = True
        _recent_activity.remember(key)
        return due


class UserPreferencesMiddleware:
    """Language and timezone from the signed-in person's profile (cookie / browser otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language in _LANGUAGE_CODES:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        # Keep the cookie in step with the person's setting, so the sign-in page after a
        # sign-out speaks their language too.
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if (
            language in _LANGUAGE_CODES
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
        ):
            language_cookie_set(response, request, language)
        return response


class ActiveCustomerMiddleware:
    """Put the active membership and customer on the request (None when there is none).

    The active customer is the one chosen in this session, else the one chosen last time, else
    the first in alphabetical order. Access rules live in `portal.access`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.customer = None
        request.memberships = []
        user = request.user
        if user.is_authenticated:
            memberships = list(memberships_for_user(user))
            request.memberships = memberships
            chosen = request.session.get("active_customer") or user.last_customer_id
            active = next((m for m in memberships if m.customer_id == chosen), None)
            if active is None and memberships:
                active = memberships[0]
            if active is not None:
                request.membership = active
                request.customer = active.customer
            self._activate_timezone(user, request.customer)
            if self._must_set_up_mfa(request):
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _activate_timezone(user, customer) -> None:
        name = user.timezone or (customer.timezone if customer else "")
        if not name and customer:
            name = COUNTRY_DEFAULTS.get(customer.country, ("UTC", ""))[0]
        try:
            timezone.activate(zoneinfo.ZoneInfo(name or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()

    @staticmethod
    def _must_set_up_mfa(request) -> bool:
        customer = request.customer
        if customer is None or not customer.require_mfa:
            return False
        if request.path.startswith(_MFA_SETUP_ALLOWED):
            return False
        return not user_has_totp(request.user)


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in included a second factor (allauth records each step of
    an authentication in the session: the MFA stage at sign-in, a reauthentication with a
    code, or setting up the authenticator app in this session)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMfaMiddleware:
    """/admin/ shows every customer's data: one phished password must not open it (A1).

    A staff member without an authenticator app is sent to set one up first; one whose
    session was opened with the password alone (before they had the app, or by any other
    route) is asked for a code before the admin answers. Signing out stays possible.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and (user.is_staff or user.is_superuser)
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
        ):
            if not user_has_totp(user):
                messages.info(
                    request,
                    _(
                        "The staff administration needs two-factor authentication: set up "
                        "your authenticator app first."
                    ),
                )
                return redirect(reverse("mfa_activate_totp"))
            if not session_passed_mfa(request):
                messages.info(
                    request,
                    _("The staff administration needs a code from your authenticator app."),
                )
                next_url = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{next_url}")
        return self.get_response(request)


class InvalidFormStatusMiddleware:
    """A POSTed form shown again with errors answers 400, also on allauth's pages (which answer
    200): bad input is a client error, and monitoring and tests can tell it from success."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method == "POST" and response.status_code == 200:
            context = response.context_data or {}
            forms = [
                value
                for value in context.values()
                if hasattr(value, "errors") and hasattr(value, "is_bound")
            ]
            # The admin's change form gathers every form's and inline's errors in "errors".
            if context.get("errors") or any(form.is_bound and form.errors for form in forms):
                response.status_code = 400
        return response


class AdminSelectionMiddleware:
    """A changelist action posted with ids that are not ids of that model (a crafted or stale
    form) answers 400 before the admin turns them into a query that would raise (a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or request.method != "POST" or not request.user.is_staff:
            return None
        pk = model_admin.model._meta.pk
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            return HttpResponseBadRequest(_("The selection holds something that is not a row."))
        return None


class TenantScopeMiddleware:
    """Every request starts in an empty customer scope: customer-owned rows are out of reach
    until `member_required` opens the customer's scope (core/scopes.py). The staff's admin works
    across customers, so it opens no scope at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(_admin_prefix()):
            with scopes_disabled():
                return self.get_response(request)
        with scope():
            return self.get_response(request)


def _admin_prefix() -> str:
    return reverse("admin:index")
