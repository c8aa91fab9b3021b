from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import selectors, services
from core.access import member_required
from core.forms import (
    ProfileForm,
)
from core.middleware import language_cookie_set
from core.selectors import user_has_totp


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
