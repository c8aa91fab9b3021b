"""Staff actions on one object outside the ModelAdmin change form: record a touchpoint, resolve
a ticket. One flow for all: the form, the service on a valid POST, a broken rule shown on the
form with a 400, or back to the object's change page with a message."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.errors import DomainError
from core.lib.forms import add_domain_error

if TYPE_CHECKING:
    _AdminBase = ModelAdmin
else:
    _AdminBase = object  # a mixin: the ModelAdmin comes later in the class's bases


class ConfirmForm(forms.Form):
    """An action with nothing to fill in: posting it is the confirmation."""


class StaffActionMixin(_AdminBase):
    action_template: str  # extends admin/base_site.html; gets original, title, form
    action_select_related: tuple[str, ...] = ("customer",)

    def action_object(self, request, object_id: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        queryset = self.model.objects.select_related(*self.action_select_related)
        return get_object_or_404(queryset, pk=object_id)

    def action_context(self, obj) -> dict:
        return {}

    def _action(self, request, obj, *, form, title: str, perform, done: str):
        if request.method == "POST" and form.is_valid():
            try:
                perform(form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, done)
                opts = self.model._meta
                return redirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": title,
            "form": form,
            **self.action_context(obj),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, self.action_template, context, status=status)
