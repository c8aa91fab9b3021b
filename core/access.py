"""The access rules of every customer page: anonymous -> sign-in, no membership -> explanation,
wrong method -> 405, missing permission -> 403. Another customer's object is 404 in selectors,
and the view runs inside its customer's scope (core/scopes.py): no query can reach another
customer's rows."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from core.models import Level
from core.scopes import customer_scope


def member_required(
    area: str | None = None, level: str = Level.VIEW, *, admin: bool = False, methods=("GET",)
):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.method not in methods and not (
                request.method == "HEAD" and "GET" in methods
            ):
                return HttpResponseNotAllowed(methods)
            membership = request.membership
            if membership is None:
                return render(request, "portal/no_access.html", status=403)
            if admin and not membership.is_admin:
                raise PermissionDenied
            if area and not membership.can(area, level):
                raise PermissionDenied
            with customer_scope(membership.customer):
                return view(request, *args, **kwargs)

        wrapper.access = {"area": area, "level": level, "admin": admin, "methods": methods}
        return wrapper

    return decorator
