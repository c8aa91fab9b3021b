"""One verdict for every portal URL and every persona (STYLE.md, ARCHITECTURE.md "Tenancy").

Every URL pattern of the project is read from the resolver, included namespaces too, and must be
classified: a row in ROUTES (the matrix), a line of NOT_IN_MATRIX (public, the signed-in person's
own account, token links; each with its reason and checked for what an anonymous visitor gets),
or the Django admin (staff only, checked below). A URL nobody classified fails here. Verdicts:
anonymous -> sign-in, another customer's object -> 404, a missing permission -> 403, the wrong
method -> 405, the happy path -> 200 or a redirect. Objects in URLs always belong to the first
customer (Acme).

The world (customers, people, objects) is built once per module inside a transaction that is
rolled back at the end; each test runs in a savepoint of it (pytest-django's `db`), so whatever a
request changes is undone before the next test.
"""

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from billing.services import billing_request_create, po_request_create
from changes.models import StandardChange
from changes.services.maintenance import (
    calendar_feed_rotate,
    maintenance_confirm,
    maintenance_create,
)
from changes.services.requests import change_request_submit
from contacts.models import PoAddress
from core import services as core_services
from core.models import Export, Level, Membership
from core.services.notification_contacts import contact_confirmation_token
from inventory.services import expansion_request_submit
from orders.models import Order
from orders.services import order_create, touchpoint_record
from tests.factories import (
    PDF_BYTES,
    CustomerFactory,
    MembershipFactory,
    NotificationContactFactory,
    OrderFactory,
    ServiceFactory,
    UserFactory,
    invoice_with_lines,
    ticket_open_for,
)
from tests.module_world import copy_media, module_world
from tickets.services import ticket_resolve
from tickets.services.watchers import ticket_watcher_add, watcher_confirmation_token

PERSONAS = ("anonymous", "admin", "limited", "other", "staff", "inactive")
METHODS = ("get", "post")

LOGIN = "sign-in"  # a redirect to /accounts/login/?next=<the requested path>
YEAR = timezone.now().year


# --- Every URL of the project ---------------------------------------------------------------


def _url_patterns(patterns=None, prefix: str = "", route: str = ""):
    """(name, [pattern, ...]) for every URL pattern, included namespaces too; the list is the
    chain from the root resolver to the pattern. An unnamed pattern goes by its full route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for name, chain in _url_patterns(
                pattern.url_patterns, prefix + namespace, route + str(pattern.pattern)
            ):
                yield name, [pattern, *chain]
        else:
            yield prefix + (pattern.name or route + str(pattern.pattern)), [pattern]


# The Django admin: staff with two-factor only (tests/portal/test_staff_*.py); every one of its
# URLs is checked below to give anonymous visitors and customers nothing but a sign-in.
STAFF_NAMESPACE = "admin:"

# What an anonymous visitor gets from a URL outside the matrix (test_url_outside_the_matrix_...).
PUBLIC = "public"  # the page itself, for anyone (200)
OWN_ACCOUNT = "own account"  # the signed-in person's own account, no customer in it: sign-in
TOKEN = "token"  # the key in the address is the credential; a made-up key gets a page saying so
SIGN_OUT = "sign-out"  # nobody to sign out: back to the start page
NOT_SERVED = "not served"  # answered 404 on purpose

# Every URL that is neither in the matrix nor the admin's, with its reason. allauth's own pages
# carry no customer data; tests/portal/test_signin.py, test_account_security.py and
# test_staff_mfa.py test them. A new URL goes in ROUTES unless it really is one of these.
NOT_IN_MATRIX = {
    "healthz": PUBLIC,  # the load balancer's probe (test_health_and_ops.py)
    # Prometheus: 404 without METRICS_TOKEN, a bearer token with it (test_metrics.py).
    "metrics": NOT_SERVED,
    # allauth changes no address: the portal answers 404 in its place (test_account_security).
    "accounts/email/": NOT_SERVED,
    "account_email": NOT_SERVED,  # the same address, allauth's name for it
    # Signing in, and the pages around it.
    "account_login": PUBLIC,
    "account_signup": PUBLIC,  # closed: invitations only; the page says so
    "account_inactive": PUBLIC,
    "account_logout": SIGN_OUT,
    "account_email_verification_sent": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    # Links from allauth's e-mails.
    "account_confirm_email": TOKEN,
    "account_reset_password_from_key": TOKEN,
    # Steps of a sign-in under way (a login code, the second factor): sign-in without one.
    "account_confirm_login_code": OWN_ACCOUNT,
    "mfa_authenticate": OWN_ACCOUNT,
    # The person's own password, second factor and sessions.
    "account_reauthenticate": OWN_ACCOUNT,
    "account_request_reauthentication_code": OWN_ACCOUNT,
    "account_confirm_reauthentication_code": OWN_ACCOUNT,
    "account_change_password": OWN_ACCOUNT,
    "account_set_password": OWN_ACCOUNT,
    "mfa_index": OWN_ACCOUNT,
    "mfa_reauthenticate": OWN_ACCOUNT,
    "mfa_activate_totp": OWN_ACCOUNT,  # the portal's own step in front of allauth's
    "mfa_deactivate_totp": OWN_ACCOUNT,
    "mfa_view_recovery_codes": OWN_ACCOUNT,
    "mfa_generate_recovery_codes": OWN_ACCOUNT,
    "mfa_download_recovery_codes": OWN_ACCOUNT,
    "usersessions_list": OWN_ACCOUNT,
}

_ALL_URLS = dict(_url_patterns())


def _matrix_names() -> list[str]:
    """The URLs the matrix must answer for: all but the admin's and NOT_IN_MATRIX."""
    return sorted(
        name
        for name in _ALL_URLS
        if not name.startswith(STAFF_NAMESPACE) and name not in NOT_IN_MATRIX
    )


_SAMPLES = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_path(chain) -> str:
    """An address that the pattern chain matches, with a made-up value for every parameter:
    enough to reach the view's access checks, which come before any object is looked up."""
    path = "/"
    for pattern in chain:
        route = str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):  # path(): <converter:name>
            path += re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES.get(m.group(1) or "str", "1"), route
            )
        else:  # re_path(): a named group is its first alternative, or "1"
            path += (
                re.sub(
                    r"\(\?P<\w+>([^()]*)\)",
                    lambda m: (
                        m.group(1).split("|")[0] if re.fullmatch(r"[\w|]+", m.group(1)) else "1"
                    ),
                    route,
                )
                .strip("^$")
                .replace("\\", "")
            )
    return path


@dataclass(frozen=True)
class Route:
    # persona -> (verdict for GET, verdict for POST); a verdict is a status code, LOGIN, or
    # the path a 302 must lead to.
    verdicts: dict[str, tuple]
    kwargs: Callable[[SimpleNamespace], dict] = lambda w: {}
    data: Callable[[SimpleNamespace, str], dict] = lambda w, persona: {}


def _admin_only(get_ok, post_ok, *, other_get, other_post) -> dict[str, tuple]:
    return {
        "anonymous": (LOGIN, LOGIN),
        "admin": (get_ok, post_ok),
        "limited": _forbidden(get_ok, post_ok),
        "other": (other_get, other_post),
        "staff": _forbidden(get_ok, post_ok),
        "inactive": _forbidden(get_ok, post_ok),
    }


def _forbidden(get_ok, post_ok) -> tuple:
    """The method check comes first: a refused method stays 405 for everybody signed in."""
    return (405 if get_ok == 405 else 403, 405 if post_ok == 405 else 403)


def _member_read(*, other=(200, 405)) -> dict[str, tuple]:
    """A read page of any active member: staff and the deactivated person have no customer."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "admin": (200, 405),
        "limited": (200, 405),
        "other": other,
        "staff": (403, 405),
        "inactive": (403, 405),
    }


def _orders_read(*, other=(200, 405)) -> dict[str, tuple]:
    """An orders page (R-ORD-2): the limited persona has no orders permission."""
    return {**_member_read(other=other), "limited": (403, 405)}


def _everyone(get, post) -> dict[str, tuple]:
    return dict.fromkeys(PERSONAS, (get, post))


_INVITE = {"email": "new.person@acme.test", "language": "es", "role": "user", "tickets": "view"}
_PERMISSIONS = {"role": "user", "tickets": "act", "services": "view", "billing": "view"}
_PROFILE = {"full_name": "Someone", "phone": "", "language": "en", "timezone": ""}


def _CHANGE_REQUEST(w) -> dict:  # noqa: N802 - a constant-like builder
    return {
        "type": "bandwidth",
        "services": [w.service.service_id],
        "param_bandwidth": "200 Mbps",
        "execution": "any_slot",
    }


# The export each persona already has under way (fixed references, so verdicts can name them).
EXPORT_UNDER_WAY = {
    persona: uuid.UUID(int=n) for n, persona in enumerate(("admin", "limited", "other"), 101)
}
_CONTACT = {"name": "NOC", "email": "noc.matrix@acme.test", "language": "es", "kinds": ["orders"]}
_ACCEPT = {
    "full_name": "Iris Invitee",
    "password1": "violet-lantern-harbour-42",
    "password2": "violet-lantern-harbour-42",
}

ROUTES: dict[str, Route] = {
    "portal:dashboard": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, 405),
            "limited": (200, 405),
            "other": (200, 405),  # their own customer's dashboard
            "staff": ("/admin/", "/admin/"),  # staff work in the Django admin only
            "inactive": (403, 405),
        }
    ),
    "portal:customer_switch": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, "/"),
            "limited": (405, "/"),
            "other": (405, 404),  # the first customer's membership is not theirs
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        data=lambda w, persona: {"membership": str(w.own_membership(persona).reference)},
    ),
    "portal:language_set": Route(
        _everyone(405, "/help/"), data=lambda w, persona: {"language": "en", "next": "/help/"}
    ),
    "portal:users": Route(_admin_only(200, 405, other_get=200, other_post=405)),
    "portal:user_invite": Route(
        _admin_only(200, "/users/", other_get=200, other_post="/users/"),
        data=lambda w, persona: _INVITE,
    ),
    "portal:user_edit": Route(
        _admin_only(200, "/users/", other_get=404, other_post=404),
        kwargs=lambda w: {"reference": w.limited_membership.reference},
        data=lambda w, persona: _PERMISSIONS,
    ),
    "portal:user_deactivate": Route(
        _admin_only(405, "/users/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.limited_membership.reference},
    ),
    "portal:user_reactivate": Route(
        _admin_only(405, "/users/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.inactive_membership.reference},
    ),
    "portal:invitation_revoke": Route(
        _admin_only(405, "/users/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.invitation.reference},
    ),
    "portal:invitation_resend": Route(
        _admin_only(405, "/users/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.invitation.reference},
    ),
    # Public: the token is the credential. A signed-in person with another address gets 409
    # at once, before any click.
    "portal:invitation_accept": Route(
        {"anonymous": (200, "/"), **dict.fromkeys(PERSONAS[1:], (409, 409))},
        kwargs=lambda w: {"token": w.token},
        data=lambda w, persona: _ACCEPT,
    ),
    "portal:audit": Route(_admin_only(200, 405, other_get=200, other_post=405)),
    # R-GCR-4: the portal administrator (R-POR-5) keeps the notification contacts.
    "portal:notification_contacts": Route(_admin_only(200, 405, other_get=200, other_post=405)),
    "portal:notification_contact_create": Route(
        _admin_only(200, "/notifications/", other_get=200, other_post="/notifications/"),
        data=lambda w, persona: _CONTACT,
    ),
    "portal:notification_contact_edit": Route(
        _admin_only(200, "/notifications/", other_get=404, other_post=404),
        kwargs=lambda w: {"reference": w.contact.reference},
        data=lambda w, persona: _CONTACT,
    ),
    "portal:notification_contact_remove": Route(
        _admin_only(405, "/notifications/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.contact.reference},
    ),
    "portal:notification_contact_resend": Route(
        _admin_only(405, "/notifications/", other_get=405, other_post=404),
        kwargs=lambda w: {"reference": w.contact.reference},
    ),
    # Public: the signed token is the credential; GET asks, POST confirms.
    "portal:notification_contact_confirm": Route(
        _everyone(200, 200), kwargs=lambda w: {"token": w.contact_token}
    ),
    # The profile belongs to the person, not to a customer: no membership needed.
    "portal:profile": Route(
        {"anonymous": (LOGIN, LOGIN), **dict.fromkeys(PERSONAS[1:], (200, "/profile/"))},
        data=lambda w, persona: _PROFILE,
    ),
    # A person ends one of their own sessions: anybody else's session is 404.
    "portal:session_end": Route(
        {
            "anonymous": (405, "/accounts/login/?next=/profile/"),
            "admin": (405, "/profile/"),
            **dict.fromkeys(("limited", "other", "staff", "inactive"), (405, 404)),
        },
        data=lambda w, persona: {"session": str(w.admin_session.pk)},
    ),
    # Public and read only, like every other read view: POST is refused.
    "portal:help": Route(_everyone(200, 405)),
    "portal:team": Route(_member_read()),
    "portal:help_article": Route(_everyone(200, 405), kwargs=lambda w: {"slug": "billing"}),
    "portal:manual": Route(_everyone(200, 405)),
    # R-POR-6: any active member writes for their active customer; POST redirects back (PRG).
    "portal:feedback": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, "/help/feedback/"),
            "limited": (200, "/help/feedback/"),
            "other": (200, "/help/feedback/"),  # their own customer
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "kind": "question",
            "subject": "A question",
            "message": "How do I export?",
            "page": "",
        },
    ),
    # R-POR-2: the services inventory; the limited persona may view services but not request.
    "services:list": Route(_member_read()),
    "services:export": Route(_member_read()),
    "services:detail": Route(
        _member_read(other=(404, 405)), kwargs=lambda w: {"service_id": w.service.service_id}
    ),
    "services:requests": Route(_member_read()),
    "services:request_detail": Route(
        _member_read(other=(404, 405)), kwargs=lambda w: {"number": w.expansion.number}
    ),
    "services:request_create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, f"/services/requests/EXP-{YEAR}-00002/"),
            "limited": (403, 403),
            "other": (200, 400),  # the first customer's service is not among theirs
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "kind": "capacity",
            "service": w.service.service_id,
            "capacity": "1 Gbps",
            "description": "More",
        },
    ),
    # R-ORD-2: orders; the limited persona has no orders permission.
    "orders:list": Route(_orders_read()),
    "orders:export": Route(_orders_read()),
    "orders:detail": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.order.number}
    ),
    "orders:calendar": Route(
        _orders_read(other=(404, 405)),
        kwargs=lambda w: {"number": w.order.number, "which": "installation"},
    ),
    # R-ORD-1: answering TP1 needs the orders act level; POST only.
    "orders:answer": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, f"/orders/ORD-{YEAR}-00001/"),
            "limited": (405, 403),
            "other": (405, 404),
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        kwargs=lambda w: {"number": w.order.number},
        data=lambda w, persona: {"detail_0": "10.20.0.0/24"},
    ),
    # R-TT-3: the availability report; customer-wide (no object in the URL), tickets view level.
    "tickets:availability": Route(_member_read()),
    "tickets:availability_export": Route(_member_read()),
    # R-CHG: standard change requests; the limited persona has no changes permission.
    "changes:list": Route(_orders_read()),
    "changes:detail": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.change.number}
    ),
    "changes:create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, f"/changes/CHG-{YEAR}-00002/"),
            "limited": (403, 403),
            "other": (200, 400),
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: _CHANGE_REQUEST(w),
    ),
    "changes:check": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, 200),
            "limited": (405, 403),
            "other": (405, 400),
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        data=lambda w, persona: _CHANGE_REQUEST(w),
    ),
    "changes:other": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, f"/changes/CHG-{YEAR}-00002/"),
            "limited": (403, 403),
            "other": (200, 400),
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "description": "A second internet exit",
            "services": [w.service.service_id],
        },
    ),
    # R-GCR: the maintenance calendar, a maintenance, its .ics; the feed needs no login.
    "changes:maintenance": Route(_orders_read()),
    "changes:maintenance_detail": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"reference": w.maintenance.reference}
    ),
    "changes:maintenance_ics": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"reference": w.maintenance.reference}
    ),
    "changes:maintenance_object": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, f"/changes/maintenance/MNT-{YEAR}-0001/#reschedule"),
            "limited": (405, 403),
            "other": (405, 404),
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        kwargs=lambda w: {"reference": w.maintenance.reference},
        data=lambda w, persona: {"message": "Month-end closing"},
    ),
    "changes:feed_rotate": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, "/changes/maintenance/#feed"),
            "limited": (405, 403),
            "other": (405, "/changes/maintenance/#feed"),  # makes its own address
            "staff": (405, 403),
            "inactive": (405, 403),
        }
    ),
    # Only administrators stop the customer's shared address from before personal ones.
    "changes:feed_shared_stop": Route(
        _admin_only(
            405,
            "/changes/maintenance/#feed",
            other_get=405,
            other_post="/changes/maintenance/#feed",  # stops its own customer's, if any
        )
    ),
    "changes:feed": Route(_everyone(200, 405), kwargs=lambda w: {"token": w.feed_token}),
    # R-TT-4: the directory is public, for the day the portal itself is down.
    "contacts:directory": Route(_everyone(200, 405)),
    # R-BIL: invoices; the limited persona has no billing permission.
    "billing:home": Route(_orders_read()),
    "billing:list": Route(_orders_read()),
    "billing:export": Route(_orders_read()),
    "billing:invoice": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.invoice.number}
    ),
    "billing:invoice_pdf": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.invoice.number}
    ),
    # R-BIL-1: inquiries, disputes and credit requests.
    "billing:requests": Route(_orders_read()),
    "billing:request_create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, f"/billing/requests/BIL-{YEAR}-00002/"),
            "limited": (403, 403),
            "other": (200, 400),  # Acme's invoice is not among theirs
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "kind": "question",
            "invoice": w.invoice.number,
            "subject": "Why this charge?",
            "description": "Line 2 looks doubled.",
        },
    ),
    "billing:request_detail": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.billing_request.number}
    ),
    "billing:request_reply": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (405, f"/billing/requests/BIL-{YEAR}-00001/#conversation"),
            "limited": (405, 403),
            "other": (405, 404),
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        kwargs=lambda w: {"number": w.billing_request.number},
        data=lambda w, persona: {"body": "Any news?"},
    ),
    "billing:request_attachment": Route(
        _orders_read(other=(404, 405)),
        kwargs=lambda w: {
            "number": w.billing_request.number,
            "reference": w.billing_attachment.reference,
        },
    ),
    # R-BIL-2/4 billing-data changes, R-BIL-3 PO/HES/MIGO requests; limited has no billing.
    "billing:data_changes": Route(_orders_read()),
    "billing:data_change_create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, "/billing/data/"),
            "limited": (403, 403),
            "other": (200, "/billing/data/"),  # their own customer's change
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "company_name": "Acme Logística S.R.L.",
            "billing_address": "Av. Corrientes 1234",
        },
    ),
    "billing:po_requests": Route(_orders_read()),
    "billing:po_request_create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, "/billing/po/"),
            "limited": (403, 403),
            "other": (200, 400),  # Acme's invoice is not among theirs
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "kind": "po",
            "reference": "4500099999",
            "invoices": [w.invoice.number],
            "support": SimpleUploadedFile("po.pdf", PDF_BYTES),
        },
    ),
    "billing:po_request_support": Route(
        _orders_read(other=(404, 405)), kwargs=lambda w: {"number": w.po_request.number}
    ),
}


def _ticket_write(done) -> dict[str, tuple]:
    """A write on a ticket page (R-TT): POST only, the tickets act level, Acme's ticket."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "admin": (405, done),
        "limited": (405, done),  # the limited persona has tickets=act
        "other": (405, 404),
        "staff": (405, 403),
        "inactive": (405, 403),
    }


_TICKET = lambda w: {"number": w.ticket.number}  # noqa: E731
_TICKET_PAGE = lambda w: f"/tickets/{w.ticket.number}/"  # noqa: E731

HD_ROUTES = {
    # CSV exports prepared by a worker (issue 15): a person's own, nobody else's (another member
    # of the same customer gets 404 too); asking needs the kind's area (tickets: view).
    "portal:exports": Route(_member_read()),
    "portal:export_start": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            # Each has the same export under way already: asking again leads to it.
            "admin": (405, f"/exports/{EXPORT_UNDER_WAY['admin']}/"),
            "limited": (405, f"/exports/{EXPORT_UNDER_WAY['limited']}/"),
            "other": (405, f"/exports/{EXPORT_UNDER_WAY['other']}/"),
            "staff": (405, 403),
            "inactive": (405, 403),
        },
        data=lambda w, persona: {"kind": "tickets"},
    ),
    "portal:export_detail": Route(
        {**_member_read(other=(404, 405)), "limited": (404, 405)},
        kwargs=lambda w: {"reference": w.export.reference},
    ),
    "portal:export_download": Route(
        {**_member_read(other=(404, 405)), "limited": (404, 405)},
        kwargs=lambda w: {"reference": w.export.reference},
    ),
    # R-TT: trouble tickets; the limited persona has tickets=act.
    "tickets:list": Route(_member_read()),
    "tickets:export": Route(_member_read()),
    "tickets:detail": Route(_member_read(other=(404, 405)), kwargs=_TICKET),
    "tickets:attachment": Route(
        _member_read(other=(404, 405)),
        kwargs=lambda w: {"number": w.ticket.number, "reference": w.attachment.reference},
    ),
    # R-TT-2: opening needs the act level; the first customer's service is not the other's.
    "tickets:create": Route(
        {
            "anonymous": (LOGIN, LOGIN),
            "admin": (200, f"/tickets/TT-{YEAR}-000003/"),
            "limited": (200, f"/tickets/TT-{YEAR}-000003/"),
            "other": (200, 400),
            "staff": (403, 403),
            "inactive": (403, 403),
        },
        data=lambda w, persona: {
            "services": [w.service.service_id],
            "impact": "down",
            "problem_started_at": "2020-01-01T08:00",
            "subject": "Link down",
            "description": "No traffic",
            "site_contact_name": "Nico",
            "site_contact_phone": "+54 11 5555 0101",
            "access_hours": "24x7",
        },
    ),
    "tickets:reply": Route(
        _ticket_write(f"/tickets/TT-{YEAR}-000001/#conversation"),
        kwargs=_TICKET,
        data=lambda w, persona: {"body": "Any news?"},
    ),
    "tickets:escalate": Route(
        _ticket_write(f"/tickets/TT-{YEAR}-000001/"),
        kwargs=_TICKET,
        data=lambda w, persona: {"escalate-reason": "The plant is stopped"},
    ),
    "tickets:reopen": Route(
        _ticket_write(f"/tickets/TT-{YEAR}-000002/"),
        kwargs=lambda w: {"number": w.resolved_ticket.number},
        data=lambda w, persona: {"reopen-reason": "Down again"},
    ),
    "tickets:cancel": Route(_ticket_write(f"/tickets/TT-{YEAR}-000001/"), kwargs=_TICKET),
    "tickets:watcher_add": Route(
        _ticket_write(f"/tickets/TT-{YEAR}-000001/#people"),
        kwargs=_TICKET,
        data=lambda w, persona: {"email": "boss@acme.test"},
    ),
    "tickets:watcher_remove": Route(
        _ticket_write(f"/tickets/TT-{YEAR}-000001/#people"),
        kwargs=_TICKET,
        data=lambda w, persona: {"email": "boss@acme.test"},
    ),
    # Public: the person copied need not be a portal user; the signed link is the credential.
    # GET asks, POST confirms (once: each case here starts from a fresh, unconfirmed person).
    "tickets:watcher_confirm": Route(
        _everyone(200, 200), kwargs=lambda w: {"token": w.watcher_token}
    ),
}
ROUTES.update(HD_ROUTES)


# --- The world, once per module -------------------------------------------------------------


# What tests/conftest.py's autouse fixtures set for every test, for the module's own set-up too
# (they are function-scoped): a fast hasher, e-mail kept in memory, eager tasks, a local cache.
def _build_world():
    # The personas of tests/conftest.py and tests/portal/conftest.py, with the same data.
    customer = CustomerFactory(display_name="Acme Logística", legal_name="Acme Logística S.A.")
    other_customer = CustomerFactory(
        display_name="Globex Telecom", country="BR", language="pt-br", timezone="America/Sao_Paulo"
    )
    admin_membership = MembershipFactory(
        customer=customer, admin=True, user__email="admin@acme.test", user__full_name="Ana Admin"
    )
    limited_membership = MembershipFactory(
        customer=customer,
        user__email="noc@acme.test",
        user__full_name="Nico NOC",
        tickets=Level.ACT,
        services=Level.VIEW,
    )
    other_membership = MembershipFactory(
        customer=other_customer, admin=True, user__email="admin@globex.test"
    )
    inactive_membership = MembershipFactory(
        customer=customer,
        user__email="gone@acme.test",
        user__full_name="Gina Gone",
        tickets=Level.VIEW,
        is_active=False,
    )
    staff_user = UserFactory(email="tsc@provider.test", is_staff=True)
    invitation = core_services.invitation_create(
        customer=customer,
        actor=admin_membership.user,
        email="invitee@acme.test",
        full_name="Iris Invitee",
        language="es",
        role=Membership.Role.USER,
        permissions={"tickets": Level.ACT, "billing": Level.VIEW},
    )
    token = core_services.invitation_token_issue(invitation=invitation)
    contact = NotificationContactFactory(customer=customer, confirmed_at=None)
    order = order_create(
        customer=customer,
        product_line="internet",
        title="Internet 1 Gbps",
        requester=admin_membership.user,
    )
    touchpoint_record(order=order, step=1, actor=staff_user, details_requested=["LAN IP range"])
    Order.objects.filter(pk=order.pk).update(installation_on=datetime.date(YEAR, 12, 10))
    OrderFactory(customer=other_customer, number="ORD-1999-00001")
    service = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00001")
    change = change_request_submit(
        membership=admin_membership,
        change_type=StandardChange.objects.get(code="bandwidth"),
        services=[service],
        parameters={"bandwidth": "1 Gbps"},
        execution="any_slot",
    )
    soon = timezone.now() + datetime.timedelta(days=2)
    maintenance = maintenance_create(
        reason="Fibre repair",
        kind="emergency",
        start=soon,
        end=soon + datetime.timedelta(hours=2),
        entered_timezone="UTC",
        impacts=[(service, "outage", 30)],
        actor=staff_user,
    )
    maintenance_confirm(maintenance=maintenance, actor=staff_user)
    ticket = ticket_open_for(
        customer,
        admin_membership.user,
        service=service,
        attachments=[SimpleUploadedFile("router.log", b"WAN down\n")],
    )
    watcher = ticket_watcher_add(
        ticket=ticket, actor=admin_membership.user, email="copied@acme.test"
    )
    resolved_ticket = ticket_open_for(customer, admin_membership.user, service=service)
    ticket_resolve(ticket=resolved_ticket, actor=staff_user, resolution="Replaced the SFP")
    expansion = expansion_request_submit(
        membership=admin_membership, kind="other", description="A first request", service=service
    )
    invoice = invoice_with_lines(
        customer, number="FA-0001-00000001", amounts=("100.00",), services=[service], pdf=True
    )
    billing_request = billing_request_create(
        customer=customer,
        user=admin_membership.user,
        kind="question",
        subject="Why two lines?",
        description="Please explain",
        invoice=invoice,
        attachments=[SimpleUploadedFile("note.txt", b"The lines\n")],
    )
    PoAddress.objects.create(countries=["AR"], email="po-ar@provider.test")
    po_request = po_request_create(
        customer=customer,
        user=admin_membership.user,
        kind="po",
        reference="PO-4500012345",
        support=SimpleUploadedFile("po.pdf", PDF_BYTES),
        invoices=[invoice],
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    admin_session = UserSession.objects.create(
        user=admin_membership.user,
        ip="203.0.113.5",
        session_key=store.session_key,
        user_agent="The administrator's other device",
    )
    memberships = {
        "admin": admin_membership,
        "limited": limited_membership,
        "inactive": inactive_membership,
    }
    users = {
        "anonymous": None,
        "admin": admin_membership.user,
        "limited": limited_membership.user,
        "other": other_membership.user,
        "staff": staff_user,
        "inactive": inactive_membership.user,
    }
    export = Export(
        customer=customer,
        requested_by=admin_membership.user,
        kind="tickets",
        language="es",
        time_zone="UTC",
        filename="tickets.csv",
        status=Export.Status.DONE,
        finished_at=timezone.now(),
    )
    export.file.save("tickets.csv", ContentFile(b"number\r\n"), save=False)
    export.save()
    for persona, reference in EXPORT_UNDER_WAY.items():
        membership = {
            "admin": admin_membership,
            "limited": limited_membership,
            "other": other_membership,
        }[persona]
        Export.objects.create(
            reference=reference,
            customer=membership.customer,
            requested_by=membership.user,
            kind="tickets",
            language="es",
            time_zone="UTC",
            filename="tickets.csv",
        )
    return SimpleNamespace(
        customer=customer,
        export=export,
        admin_membership=admin_membership,
        limited_membership=limited_membership,
        inactive_membership=inactive_membership,
        invitation=invitation,
        token=token,
        contact=contact,
        order=order,
        change=change,
        maintenance=maintenance,
        feed_token=calendar_feed_rotate(membership=admin_membership)[0],
        contact_token=contact_confirmation_token(contact),
        admin_session=admin_session,
        service=service,
        expansion=expansion,
        ticket=ticket,
        resolved_ticket=resolved_ticket,
        attachment=ticket.attachments.get(),
        watcher_token=watcher_confirmation_token(watcher),
        invoice=invoice,
        billing_request=billing_request,
        billing_attachment=billing_request.attachments.get(),
        po_request=po_request,
        users=users,
        # A persona's own membership of the first customer; for anyone else the admin's.
        own_membership=lambda persona: memberships.get(persona, admin_membership),
    )


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and the media folder its files are in, built once for the module
    (tests/module_world.py)."""
    media = tmp_path_factory.mktemp("matrix-media")
    with module_world(_build_world, django_db_blocker, media) as world:
        yield world, media


@pytest.fixture
def world(_module_world, db, settings):
    """The module's world; this test's requests run in a savepoint of its transaction (`db`),
    and its files are a copy in the test's own media folder (tests/conftest.py sets one)."""
    world, media = _module_world
    copy_media(media, settings)
    return world


def _outcome(response) -> str:
    if response.streaming:  # a file download: no page title to show
        return f"{response.status_code} {response.get('Content-Disposition', '')}"
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    where = response.get("Location", "")
    return f"{response.status_code} {where} {title.group(1).strip() if title else ''}"


def _cases():
    for name in _matrix_names():
        for persona in PERSONAS:
            for method in METHODS:
                yield pytest.param(name, persona, method, id=f"{name}-{persona}-{method}")


def test_the_url_discovery_reaches_every_app():
    """The walk goes into every included namespace, the admin's and allauth's too."""
    namespaces = {name.split(":")[0] for name in _ALL_URLS if ":" in name}
    assert {"portal", "services", "orders", "tickets", "changes", "billing", "contacts"} <= (
        namespaces
    )
    assert "admin" in namespaces
    assert {"account_login", "healthz"} <= set(_ALL_URLS)


def test_every_verdict_names_a_url_that_exists():
    """A URL nobody classified (not in ROUTES, NOT_IN_MATRIX or the admin) fails here, and so
    does a verdict for a URL that was removed or renamed (a stale row)."""
    assert set(ROUTES) == set(_matrix_names())


def test_every_url_outside_the_matrix_exists():
    assert set(NOT_IN_MATRIX) <= set(_ALL_URLS)


def test_every_route_has_a_verdict_for_every_persona():
    for name, route in ROUTES.items():
        assert set(route.verdicts) == set(PERSONAS), name


@pytest.mark.parametrize(("name", "persona", "method"), list(_cases()))
def test_url_answers_each_persona_with_its_verdict(client, world, name, persona, method):
    """R-POR-5 and the tenancy rules: 302 sign-in / 404 / 403 / 405 / happy path."""
    route = ROUTES.get(name)
    if route is None:
        pytest.fail(
            f"{name} has no verdict in ROUTES: add one for every persona (or, if it is public, "
            "the person's own account or a token link, a line in NOT_IN_MATRIX)"
        )
    expected = route.verdicts[persona][METHODS.index(method)]
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    path = reverse(name, kwargs=route.kwargs(world))

    send = client.get if method == "get" else client.post
    response = send(path, route.data(world, persona) if method == "post" else None)

    outcome = _outcome(response)
    if expected == LOGIN:
        assert response.status_code == 302, outcome
        assert response["Location"] == f"/accounts/login/?{urlencode({'next': path}, safe='/')}"
    elif isinstance(expected, str):
        assert response.status_code == 302, outcome
        assert response["Location"] == expected
    else:
        assert response.status_code == expected, outcome
    if user is not None:
        # Issue 13 section 5: whatever a signed-in person gets, no cache keeps it.
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, response.get("Cache-Control")
    if expected == 404:
        # Not found must not confirm the object: nothing of it leaks into the page.
        body = response.content.decode()
        assert "The administrator's other device" not in body
        if persona == "other":
            assert world.customer.display_name not in body
            assert "noc@acme.test" not in body


@pytest.mark.parametrize(("name", "kind"), sorted(NOT_IN_MATRIX.items()))
def test_url_outside_the_matrix_answers_as_classified(client, world, name, kind):
    """What an anonymous visitor gets is what the allow-list says; a customer's administrator
    signed in gets no server error."""
    path = _sample_path(_ALL_URLS[name])
    response = client.get(path)

    outcome = _outcome(response)
    if kind in (PUBLIC, TOKEN):
        assert response.status_code == 200, outcome
    elif kind == OWN_ACCOUNT:
        assert response.status_code == 302, outcome
        assert response["Location"].startswith("/accounts/login/"), outcome
    elif kind == SIGN_OUT:
        assert response.status_code == 302, outcome
        assert response["Location"] == "/", outcome
    else:
        assert kind == NOT_SERVED
        assert response.status_code == 404, outcome
    client.force_login(world.users["admin"])
    assert client.get(path).status_code < 500


_STAFF_URLS = sorted(name for name in _ALL_URLS if name.startswith(STAFF_NAMESPACE))
# Where the admin sends anybody who is not signed-in staff: its sign-in (which hands over to
# allauth's), or its index (which then does the same).
_ADMIN_DOORS = ("/admin/login/", "/accounts/login/")


@pytest.mark.parametrize("name", _STAFF_URLS)
def test_admin_url_gives_anonymous_visitors_and_customers_only_a_sign_in(client, world, name):
    path = _sample_path(_ALL_URLS[name])
    for persona in ("anonymous", "admin", "other"):
        user = world.users[persona]
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        outcome = f"{persona}: {_outcome(response)}"
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith(_ADMIN_DOORS) or location == "/admin/", outcome
        else:
            assert response.status_code in (403, 404, 405), outcome
