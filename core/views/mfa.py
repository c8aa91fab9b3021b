"""Setting up the authenticator app (allauth's view, one step more for the staff admin)."""

# record_authentication is allauth's internal step log (django-allauth is pinned <66); it is the
# same call allauth's own MFA stage makes at sign-in.
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView


class TotpActivateView(ActivateTOTPView):
    """allauth's TOTP set-up. The code that was just checked against the new app also counts
    as this session's second factor, as the code typed at sign-in does: staff sent here by
    the admin go on to it without typing a second code (StaffMfaMiddleware)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        record_authentication(
            self.request, user, "mfa", id=authenticator.pk, type=authenticator.type
        )
        return response


totp_activate = TotpActivateView.as_view()
