"""The customer's pages of the provider's scheduled maintenance (R-GCR-1..5): the calendar (month
grid and upcoming/past lists), a maintenance's page with its .ics, the request to reschedule
(R-GCR-2) and the private calendar feed. Every read goes through changes.selectors, which hands
each maintenance with the customer's own affected services only: another customer's service or
name never reaches these pages, the .ics or the feed."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from changes import selectors
from changes.forms import MaintenanceFilterForm, ObjectionForm
from changes.ical import calendar, maintenance_event
from changes.models import CalendarFeed, Maintenance
from changes.services.maintenance import calendar_feed_rotate, calendar_feed_shared_stop
from changes.services.maintenance import maintenance_object as objection_submit
from core.access import member_required
from core.errors import DomainError
from core.lib.listing import list_page
from core.models import Area, Level

FEED_PAST_DAYS = 90
PAGE_SIZE = 20


def _month_grid(first: date, maintenances: list[Maintenance]) -> list[list[dict]]:
    """Monday-first weeks covering the month, each day with the maintenance that overlaps it in
    the viewer's timezone."""
    zone, today = timezone.get_current_timezone(), timezone.localdate()
    day = first - timedelta(days=first.weekday())
    following = (first + timedelta(days=32)).replace(day=1)
    weeks = []
    while day < following:
        week = []
        for _weekday in range(7):
            opens = datetime.combine(day, time(), tzinfo=zone)
            closes = opens + timedelta(days=1)
            items = [m for m in maintenances if m.start < closes and m.end > opens]
            week.append(
                {"day": day, "in_month": day.month == first.month, "today": day == today}
                | {"items": items}
            )
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def _month_context(request, first: date, filters: dict) -> dict:
    zone = timezone.get_current_timezone()
    grid_start = first - timedelta(days=first.weekday())
    following = (first + timedelta(days=32)).replace(day=1)
    grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
    rows = selectors.with_worst_impact(
        selectors.maintenances_for_customer(
            request.customer,
            since=datetime.combine(grid_start, time(), tzinfo=zone),
            until=datetime.combine(grid_end, time(), tzinfo=zone),
            **filters,
        )
    )
    previous = (first - timedelta(days=1)).replace(day=1)
    return {
        "month": first,
        "weeks": _month_grid(first, rows),
        "month_count": sum(
            1
            for m in rows
            if timezone.localdate(m.start) < following and timezone.localdate(m.end) >= first
        ),
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m"),
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }


def _list_context(request, view: str, filters: dict) -> dict:
    now = timezone.now()
    rows = selectors.maintenances_for_customer(
        request.customer, since=None if view == "past" else now, **filters
    )
    if view == "past":
        rows = rows.filter(end__lt=now).order_by("-start", "-id")
    listing = list_page(request, rows, per_page=PAGE_SIZE)
    listing["rows"] = selectors.with_worst_impact(listing["page"])
    return listing


# A new feed token waits here between the POST that made it and the page that shows it once.
_NEW_FEED_KEY = "calendar_feed_new"


def _feed_context(request) -> dict:
    """The member's own address (its URL only right after it was made: only its hash is kept)
    and, for administrators, the customer's shared address from before personal ones."""
    feeds = selectors.calendar_feeds_for_membership(request.membership)
    personal = feeds["personal"]
    new = request.session.pop(_NEW_FEED_KEY, None) or {}
    feed_url = ""
    if (
        personal is not None
        and new.get("membership") == request.membership.pk
        and personal.token_hash == CalendarFeed.hash_token(new.get("token", ""))
    ):
        feed_url = settings.PORTAL_BASE_URL + reverse(
            "changes:feed", kwargs={"token": new["token"]}
        )
    return {
        "feed": personal,
        "feed_url": feed_url,
        "shared_feed": feeds["shared"] if request.membership.is_admin else None,
    }


@member_required(Area.CHANGES)
def maintenance_calendar(request):
    services = selectors.maintenance_services_for_customer(request.customer)
    form = MaintenanceFilterForm(request.GET, services=services)
    context = {"form": form, **_feed_context(request)}
    if not form.is_valid():
        context["view"] = request.GET.get("view") or "upcoming"
        return render(request, "changes/maintenance_calendar.html", context, status=400)
    data = form.cleaned_data
    filters = {"service": data["service"], "impact": data["impact"]}
    context |= {"view": data["view"], "filtered": any(filters.values())}
    context["filter_query"] = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    if data["view"] == "month":
        context |= _month_context(request, data["month"] or timezone.localdate(), filters)
    else:
        context |= _list_context(request, data["view"], filters)
    return render(request, "changes/maintenance_calendar.html", context)


def _detail_context(request, maintenance: Maintenance, form: ObjectionForm) -> dict:
    own = maintenance.own_impacts  # type: ignore[attr-defined]  # a Prefetch to_attr
    return {
        "maintenance": maintenance,
        "impacts": own,
        "worst": selectors.with_worst_impact([maintenance])[0].worst,  # type: ignore[attr-defined]  # set there
        "site_zones": [
            (zone, zone.rsplit("/", 1)[-1].replace("_", " "))
            for zone in sorted({row.site_timezone for row in own})
        ],
        "events": maintenance.events.all(),
        "objections": selectors.objections_for_customer(request.customer, maintenance),
        "form": form,
        "can_object": request.membership.can(Area.CHANGES, Level.ACT)
        and maintenance.status in (Maintenance.Status.SCHEDULED, Maintenance.Status.RESCHEDULED),
    }


@member_required(Area.CHANGES)
def maintenance_detail(request, reference):
    maintenance = selectors.maintenance_get(request.customer, reference)
    context = _detail_context(request, maintenance, ObjectionForm())
    return render(request, "changes/maintenance_detail.html", context)


@member_required(Area.CHANGES, Level.ACT, methods=("POST",))
def maintenance_object(request, reference):
    """R-GCR-2: the customer asks to reschedule; Change Management sees it in admin."""
    maintenance = selectors.maintenance_get(request.customer, reference)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            objection_submit(
                maintenance=maintenance,
                membership=request.membership,
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            form.add_error("message" if error.field == "message" else None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Change Management received your request to reschedule %(reference)s. "
                    "They will answer your maintenance contacts."
                )
                % {"reference": maintenance.reference},
            )
            return redirect(reverse("changes:maintenance_detail", args=[reference]) + "#reschedule")
    context = _detail_context(request, maintenance, form)
    return render(request, "changes/maintenance_detail.html", context, status=400)


def _ics_response(body: bytes, *, filename: str, disposition: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@member_required(Area.CHANGES)
def maintenance_ics(request, reference):
    maintenance = selectors.maintenance_get(request.customer, reference)
    body = calendar([maintenance_event(maintenance, request.customer, maintenance.own_impacts)])
    return _ics_response(body, filename=f"{maintenance.reference}.ics", disposition="attachment")


@require_safe
def feed(request, token):
    """No sign-in: the secret URL is the credential (unknown or rotated token: 404). The same
    BCOP events as the e-mails, for the last FEED_PAST_DAYS days and the future."""
    customer, maintenances = selectors.maintenance_by_feed_token(token)
    cutoff = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    events = [
        maintenance_event(m, customer, m.own_impacts) for m in maintenances if m.end >= cutoff
    ]
    response = _ics_response(calendar(events), filename="maintenance.ics", disposition="inline")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@member_required(Area.CHANGES, methods=("POST",))
def feed_rotate(request):
    token, replaced = calendar_feed_rotate(membership=request.membership, request=request)
    request.session[_NEW_FEED_KEY] = {"membership": request.membership.pk, "token": token}
    if replaced:
        messages.success(
            request,
            _(
                "Your calendar feed has a new address; the old one stopped working. Subscribe "
                "your calendars again with the new address below."
            ),
        )
    else:
        messages.success(request, _("Your calendar feed address is ready below."))
    return redirect(reverse("changes:maintenance") + "#feed")


@member_required(Area.CHANGES, admin=True, methods=("POST",))
def feed_shared_stop(request):
    if calendar_feed_shared_stop(customer=request.customer, actor=request.user, request=request):
        messages.success(
            request,
            _(
                "The shared calendar address stopped working. Everyone who needs the calendar "
                "makes a personal address on this page."
            ),
        )
    return redirect(reverse("changes:maintenance") + "#feed")
