from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from billing.selectors import billing_dashboard
from changes.selectors import (
    changes_for_customer,
    maintenances_upcoming_for_customer,
    with_worst_impact,
)
from contacts.selectors import tsc_card_for_country
from core.lib.forms import add_domain_error
from orders.selectors import orders_dashboard
from portal import selectors, services
from portal.access import member_required
from portal.errors import DomainError, RateLimited
from portal.forms import (
    AuditFilterForm,
    InvitationAcceptForm,
    InviteForm,
    MemberFilterForm,
    PermissionsForm,
    ProfileForm,
)
from portal.health import health_status
from portal.listing import list_page
from portal.middleware import language_cookie_set
from portal.models import Area, Level
from portal.selectors import user_has_totp
from portal.selectors.inventory import (
    expansion_requests_for_customer,
    service_status_counts_for_customer,
)
from portal.selectors.notifications import notification_contacts_needing_attention
from portal.selectors.team import key_contacts_for_customer
from tickets.selectors import tickets_dashboard
from tickets.sla import ticket_clock

MAINTENANCE_CARD_DAYS = 30


@member_required()
def dashboard(request):
    customer = request.customer
    context = {
        "has_totp": user_has_totp(request.user),
        "key_contacts": key_contacts_for_customer(customer=customer),
        "tsc_card": tsc_card_for_country(customer.country),
    }
    if request.membership.can(Area.SERVICES):
        context["service_counts"] = service_status_counts_for_customer(customer)
        context["open_requests"] = expansion_requests_for_customer(customer, status="open")[:5]
    if request.membership.can(Area.ORDERS):
        context["orders"] = orders_dashboard(customer)
    if request.membership.can(Area.TICKETS):
        tickets = tickets_dashboard(customer)
        tickets["first"] = [(t, ticket_clock(t)) for t in tickets["open"][:5]]
        context["tickets"] = tickets
        context["can_open_ticket"] = request.membership.can(Area.TICKETS, Level.ACT)
    if request.membership.can(Area.CHANGES):
        upcoming = maintenances_upcoming_for_customer(customer, days=MAINTENANCE_CARD_DAYS)
        context["maintenance"] = {
            "upcoming": with_worst_impact(upcoming[:5]),
            "count": upcoming.count(),
            "days": MAINTENANCE_CARD_DAYS,
        }
        open_changes = changes_for_customer(customer, status="open")
        context["changes"] = {"open": list(open_changes[:5]), "count": open_changes.count()}
    if request.membership.can(Area.BILLING):
        context["billing"] = billing_dashboard(customer)
    if request.membership.is_admin:
        context["user_counts"] = selectors.user_counts_for_customer(customer)
        context["contacts_attention"] = notification_contacts_needing_attention(customer)
    return render(request, "portal/dashboard.html", context)


def home(request):
    if request.user.is_authenticated and request.user.is_staff and not request.memberships:
        return redirect("admin:index")
    return dashboard(request)


@member_required(methods=("POST",))
def customer_switch(request):
    reference = request.POST.get("membership", "")
    membership = next((m for m in request.memberships if str(m.reference) == reference), None)
    if membership is None:
        raise Http404
    services.customer_switch(user=request.user, membership=membership, request=request)
    messages.success(
        request, _("You are now working for %(customer)s.") % {"customer": membership.customer}
    )
    return redirect("portal:dashboard")


@require_POST
def language_set(request):
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return render(
            request,
            "portal/bad_request.html",
            {"message": _("Choose one of the offered languages.")},
            status=400,
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("portal:dashboard")
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response = redirect(next_url)
    language_cookie_set(response, request, language)
    return response


@member_required(admin=True)
def users_list(request):
    return _render_users(request)


def _render_users(request, *, status: int | None = None):
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.members_for_customer(
        request.customer, search=filters.get("q", ""), status=filters.get("status", "")
    )
    context = {
        "form": form,
        "members": members,
        "filtered": bool(filters.get("q") or filters.get("status")),
        "invitations": selectors.invitations_open_for_customer(request.customer),
    }
    status = status or (400 if form.errors else 200)
    return render(request, "portal/users/list.html", context, status=status)


@member_required(admin=True, methods=("GET", "POST"))
def user_invite(request):
    form = InviteForm(request.POST or None, initial={"language": request.customer.language})
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                customer=request.customer,
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                language=form.cleaned_data["language"],
                role=form.cleaned_data["role"],
                permissions=form.permissions(),
                request=request,
            )
        except DomainError as error:
            status = getattr(error, "status", None)  # 429 over the daily cap
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("portal:users")
    status = status or (400 if form.errors else 200)
    context = {"form": form, "invitation_days": settings.INVITATION_VALID_DAYS}
    return render(request, "portal/users/invite.html", context, status=status)


@member_required(admin=True, methods=("GET", "POST"))
def user_edit(request, reference):
    membership = selectors.membership_get(request.customer, reference)
    form = PermissionsForm(
        request.POST or None, initial={"role": membership.role, **membership.levels()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                actor=request.user,
                role=form.cleaned_data["role"],
                permissions=form.permissions(),
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("Permissions of %(email)s saved.") % {"email": membership.user.email}
            )
            return redirect("portal:users")
    status = 400 if form.errors else 200
    return render(
        request, "portal/users/edit.html", {"form": form, "member": membership}, status=status
    )


def _membership_action(request, reference, service, success_message):
    membership = selectors.membership_get(request.customer, reference)
    try:
        service(membership=membership, actor=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:user_edit", reference=membership.reference)
    messages.success(request, success_message % {"email": membership.user.email})
    if membership.user_id == request.user.pk and service is services.membership_deactivate:
        return redirect("portal:dashboard")
    return redirect("portal:users")


@member_required(admin=True, methods=("POST",))
def user_deactivate(request, reference):
    return _membership_action(
        request,
        reference,
        services.membership_deactivate,
        _("%(email)s can no longer use this portal."),
    )


@member_required(admin=True, methods=("POST",))
def user_reactivate(request, reference):
    return _membership_action(
        request,
        reference,
        services.membership_reactivate,
        _("%(email)s can use this portal again."),
    )


@member_required(admin=True, methods=("POST",))
def invitation_resend(request, reference):
    invitation = selectors.invitation_get(request.customer, reference)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user, request=request)
    except RateLimited as error:  # the list again, with the message, as a 429
        messages.error(request, error.message)
        return _render_users(request, status=error.status)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("portal:users")


@member_required(admin=True, methods=("POST",))
def invitation_revoke(request, reference):
    invitation = selectors.invitation_get(request.customer, reference)
    services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("portal:users")


@never_cache
def invitation_accept(request, token):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    invitation = selectors.invitation_by_token(token)
    if (
        invitation
        and not request.user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
    ):
        translation.activate(invitation.language)  # the language the inviter chose for this person
        request.LANGUAGE_CODE = invitation.language
    try:
        services.invitation_check(invitation)
    except DomainError as error:
        return render(
            request, "portal/invitation_invalid.html", {"message": error.message}, status=410
        )
    if request.user.is_authenticated:
        return _invitation_accept_signed_in(request, invitation)
    if selectors.user_exists(invitation.email):
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(
            request,
            "portal/invitation_join.html",
            {"invitation": invitation, "login_url": login_url},
        )
    form = InvitationAcceptForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["active_customer"] = membership.customer_id
            translation.activate(membership.user.language)
            messages.success(
                request, _("Welcome to %(customer)s's portal.") % {"customer": membership.customer}
            )
            return redirect("portal:dashboard")
    status = 400 if form.errors else 200
    return render(
        request,
        "portal/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=status,
    )


def _invitation_accept_signed_in(request, invitation):
    if request.user.email.lower() != invitation.email.lower():
        # Say so at once, not after a click: this link is for somebody else's address.
        message = _("This invitation is for %(email)s. Sign out and open the link again.") % {
            "email": invitation.email
        }
        return render(request, "portal/invitation_invalid.html", {"message": message}, status=409)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                full_name="",
                password=None,
                user=request.user,
                request=request,
            )
        except DomainError as error:
            return render(
                request, "portal/invitation_invalid.html", {"message": error.message}, status=409
            )
        request.session["active_customer"] = membership.customer_id
        messages.success(request, _("You joined %(customer)s.") % {"customer": membership.customer})
        return redirect("portal:dashboard")
    return render(request, "portal/invitation_join.html", {"invitation": invitation})


@member_required(admin=True)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events_for_customer(
        request.customer,
        action=filters.get("action", ""),
        person=filters.get("person", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if form.errors:
        events = events.none()  # a wrong filter must not look like an answer
    context = {"form": form, **list_page(request, events, per_page=50)}
    return render(request, "portal/audit.html", context, status=400 if form.errors else 200)


def _profile_initial(user):
    return {
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language or "es",
        "timezone": user.timezone,
    }


def profile(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = ProfileForm(request.POST or None, initial=_profile_initial(request.user))
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
            request=request,
        )
        translation.activate(request.user.language)
        messages.success(request, _("Your profile was saved."))
        return redirect("portal:profile")
    context = {
        "form": form,
        "has_totp": user_has_totp(request.user),
        "sessions": selectors.sessions_for_user(request.user),
        "current_session_key": request.session.session_key,
    }
    return render(request, "portal/profile.html", context, status=400 if form.errors else 200)


@require_POST
def session_end(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:profile"))
    session = selectors.session_get(request.user, request.POST.get("session", ""))
    is_current = session.session_key == request.session.session_key
    services.session_end(user=request.user, session=session, request=request)
    if is_current:
        return redirect("account_login")
    messages.success(request, _("The session was ended: that device is signed out."))
    return redirect("portal:profile")


def email_change_unavailable(request):
    """The e-mail address is the sign-in and the audit identity: it changes only through the
    portal administrator (a new invitation) or the provider's staff, never by the person alone."""
    raise Http404


def healthz(request):
    status = health_status()
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)
