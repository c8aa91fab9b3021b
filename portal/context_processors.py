from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from core.lib.urls import fixed_url

# Navigation of the portal shell: (url name, label, permission area or None, admins only).
# An area appears once its app registers the URL: no link leads to a page that does not exist.
NAVIGATION = [
    ("portal:dashboard", _("Dashboard"), None, False),
    ("services:list", _("Services"), "services", False),
    ("orders:list", _("Orders"), "orders", False),
    ("tickets:list", _("Trouble tickets"), "tickets", False),
    ("changes:list", _("Changes and maintenance"), "changes", False),
    ("billing:home", _("Billing"), "billing", False),
    ("contacts:directory", _("Contacts"), None, False),
    ("portal:team", _("Account team"), None, False),
    ("portal:users", _("Users"), None, True),
    ("portal:notification_contacts", _("Notifications"), None, True),
    ("portal:audit", _("Audit log"), None, True),
    ("portal:help", _("Help"), None, False),
]


def _navigation(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    items = []
    for name, label, area, admin_only in NAVIGATION:
        if admin_only and not membership.is_admin:
            continue
        if area and not membership.can(area):
            continue
        try:
            url = fixed_url(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return items


def portal(request):
    return {
        "PROVIDER_NAME": settings.PROVIDER_NAME,
        "navigation": _navigation(request),
        "active_customer": getattr(request, "customer", None),
        "active_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
    }
