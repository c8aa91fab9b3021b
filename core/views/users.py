from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import selectors, services
from core.access import member_required
from core.errors import DomainError
from core.forms import (
    AuditFilterForm,
    InviteForm,
    MemberFilterForm,
    PermissionsForm,
)
from core.lib.forms import add_domain_error
from core.lib.listing import list_page
from core.views.resend import link_resend


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
    return link_resend(
        request,
        lambda: services.invitation_resend(
            invitation=invitation, actor=request.user, request=request
        ),
        sent=_("A new invitation was sent to %(email)s.") % {"email": invitation.email},
        render_list=_render_users,
        list_url="portal:users",
    )


@member_required(admin=True, methods=("POST",))
def invitation_revoke(request, reference):
    invitation = selectors.invitation_get(request.customer, reference)
    services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("portal:users")


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
