from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core import selectors, services
from core.errors import DomainError
from core.forms import (
    InvitationAcceptForm,
)


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
