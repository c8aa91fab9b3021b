"""Notification contacts (R-GCR-4): the customer's portal administrator (R-POR-5) keeps the list
of people who receive the order, ticket, maintenance and billing e-mails; each person confirms
the address through a public link.

Access as on the users pages (portal.access.member_required(admin=True)): anonymous -> sign-in,
a user who is not the administrator -> 403, another customer's contact -> 404 (selector), GET on
a write -> 405.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.access import member_required
from core.errors import DomainError
from core.forms.notifications import NotificationContactForm, kind_descriptions
from core.scopes import customer_scope, scopes_disabled
from core.selectors import notifications as selectors
from core.services import notification_contacts as services
from core.views.resend import link_resend

_LINK_DAYS = services.CONFIRM_MAX_AGE // (24 * 3600)


def _posted(request):
    """Bound on every POST, even an empty one, so that it answers 400 and says what is missing."""
    return request.POST if request.method == "POST" else None


def _show_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _form_status(form, error: DomainError | None) -> int:
    """429 over a cap (portal.errors.RateLimited), 400 for other errors, else 200."""
    if error is not None:
        return getattr(error, "status", 400)
    return 400 if form.errors else 200


@member_required(admin=True)
def contact_list(request):
    return _render_list(request)


def _render_list(request, *, status: int = 200):
    contacts = list(selectors.notification_contacts_for_customer(request.customer))
    context = {
        "contacts": contacts,
        "silent": [contact for contact in contacts if contact.needs_attention],
        "link_cutoff": timezone.now() - timedelta(seconds=services.CONFIRM_MAX_AGE),
        "link_days": _LINK_DAYS,
        "kind_descriptions": kind_descriptions(),
    }
    return render(request, "portal/notifications/list.html", context, status=status)


@member_required(admin=True, methods=("GET", "POST"))
def contact_create(request):
    form = NotificationContactForm(
        _posted(request), initial={"language": request.customer.language}
    )
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_add(
                customer=request.customer,
                actor=request.user,
                request=request,
                **form.contact_values(),
            )
        except DomainError as error:
            refused = error
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("%(email)s was added. It receives notifications once the link we sent is opened.")
                % {"email": contact.email},
            )
            return redirect("portal:notification_contacts")
    context = {"form": form, "link_days": _LINK_DAYS}
    return render(
        request, "portal/notifications/form.html", context, status=_form_status(form, refused)
    )


@member_required(admin=True, methods=("GET", "POST"))
def contact_edit(request, reference):
    contact = selectors.notification_contact_get(request.customer, reference)
    old_email = contact.email.lower()
    form = NotificationContactForm(_posted(request), contact=contact)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(
                contact=contact, actor=request.user, request=request, **form.contact_values()
            )
        except DomainError as error:
            refused = error
            _show_error(form, error)
        else:
            if contact.email != old_email:
                message = _("Saved. A confirmation link was sent to %(email)s.")
            else:
                message = _("The notification contact %(email)s was saved.")
            messages.success(request, message % {"email": contact.email})
            return redirect("portal:notification_contacts")
    context = {"form": form, "contact": contact, "link_days": _LINK_DAYS}
    return render(
        request, "portal/notifications/form.html", context, status=_form_status(form, refused)
    )


@member_required(admin=True, methods=("POST",))
def contact_remove(request, reference):
    contact = selectors.notification_contact_get(request.customer, reference)
    services.contact_remove(contact=contact, actor=request.user, request=request)
    messages.success(
        request, _("%(email)s no longer receives notifications.") % {"email": contact.email}
    )
    return redirect("portal:notification_contacts")


@member_required(admin=True, methods=("POST",))
def contact_resend(request, reference):
    contact = selectors.notification_contact_get(request.customer, reference)
    return link_resend(
        request,
        lambda: services.contact_resend(contact=contact, actor=request.user, request=request),
        sent=_("A new confirmation link was sent to %(email)s.") % {"email": contact.email},
        render_list=_render_list,
        list_url="portal:notification_contacts",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def contact_confirm(request, token):
    """Public: the signed token is the credential. GET only asks (mail scanners open links);
    POST confirms. The page shows the customer's name and the kinds, nothing else."""
    try:
        with scopes_disabled():  # the signed token is the credential, and it names the contact
            contact = services.contact_by_token(token)
        if request.method == "POST":
            with customer_scope(contact.customer):
                contact = services.contact_confirm(token=token)
    except DomainError as error:
        context = {"message": error.message}
        return render(request, "portal/notifications/confirm_invalid.html", context, status=400)
    if not request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(contact.language)  # the language the administrator chose for them
        request.LANGUAGE_CODE = contact.language
    context = {
        "customer_name": contact.customer.display_name,
        "kinds": contact.kind_labels,
        "confirmed": request.method == "POST",
    }
    return render(request, "portal/notifications/confirm.html", context)
