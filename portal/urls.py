from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core.views import account, exports, invitations, mfa, notifications, users
from portal import metrics
from portal.views import dashboard, health
from portal.views import help as help_views
from team import views as team

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's recipe


portal_patterns = [
    path("", dashboard.home, name="dashboard"),
    path("switch/", account.customer_switch, name="customer_switch"),
    path("language/", account.language_set, name="language_set"),
    path("users/", users.users_list, name="users"),
    path("users/invite/", users.user_invite, name="user_invite"),
    path("users/<uuid:reference>/", users.user_edit, name="user_edit"),
    path("users/<uuid:reference>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<uuid:reference>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path(
        "users/invitations/<uuid:reference>/revoke/",
        users.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "users/invitations/<uuid:reference>/resend/",
        users.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("audit/", users.audit_log, name="audit"),
    path("profile/", account.profile, name="profile"),
    path("profile/sessions/end/", account.session_end, name="session_end"),
    path("team/", team.team, name="team"),
    path("notifications/", notifications.contact_list, name="notification_contacts"),
    path("notifications/new/", notifications.contact_create, name="notification_contact_create"),
    path(
        "notifications/confirm/<str:token>/",
        notifications.contact_confirm,
        name="notification_contact_confirm",
    ),
    path(
        "notifications/<uuid:reference>/",
        notifications.contact_edit,
        name="notification_contact_edit",
    ),
    path(
        "notifications/<uuid:reference>/remove/",
        notifications.contact_remove,
        name="notification_contact_remove",
    ),
    path(
        "notifications/<uuid:reference>/resend/",
        notifications.contact_resend,
        name="notification_contact_resend",
    ),
    path("exports/", exports.export_list, name="exports"),
    path("exports/new/", exports.export_start, name="export_start"),
    path("exports/<uuid:reference>/", exports.export_detail, name="export_detail"),
    path("exports/<uuid:reference>/download/", exports.export_download, name="export_download"),
    path("help/", help_views.help_centre, name="help"),
    path("help/manual/", help_views.manual, name="manual"),
    path("help/feedback/", help_views.feedback, name="feedback"),
    path("help/<slug:slug>/", help_views.help_article, name="help_article"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("services/", include("inventory.urls")),
    path("orders/", include("orders.urls")),
    path("tickets/", include("tickets.urls")),
    path("changes/", include("changes.urls")),
    path("billing/", include("billing.urls")),
    path("contacts/", include("contacts.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/email/", account.email_change_unavailable),
    # allauth's TOTP set-up, one step more (portal.views.mfa); same address and name.
    path("accounts/2fa/totp/activate/", mfa.totp_activate, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.errors.bad_request"
