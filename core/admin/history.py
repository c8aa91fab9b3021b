"""Rows that the customers' history points at are retired, never deleted (review D2); evidence
is never edited at all."""

from typing import TYPE_CHECKING

from django.contrib.admin import ModelAdmin
from django.db.models import ForeignObjectRel, Model

if TYPE_CHECKING:
    _AdminBase = ModelAdmin
else:
    _AdminBase = object  # a mixin: the ModelAdmin comes later in the class's bases


class KeepHistoryMixin(_AdminBase):
    """ModelAdmin mixin: no deleting a row that the history models point at.

    `history_from` names where the history lives: an app label ("tickets": any of its models) or
    a model label ("portal.ExpansionRequest"). Deleting such a row would strip it from that
    history (a many-to-many row goes silently) or fail on PROTECT; staff retire it instead (a
    service is disconnected, a person made inactive). Bulk deletion is never offered, because
    it does not look at rows one by one; a row nothing points at is deleted on its own page by
    whoever holds the delete permission.
    """

    history_from: tuple[str, ...] = ()

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is not None and not history_points_at(obj, self.history_from)


def _is_history(model, history_from: tuple[str, ...]) -> bool:
    return model._meta.app_label in history_from or model._meta.label in history_from


def history_points_at(obj: Model, history_from: tuple[str, ...]) -> bool:
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.related_model):
            continue
        if not _is_history(relation.related_model, history_from):
            continue
        assert isinstance(relation, ForeignObjectRel)  # auto-created, not concrete: a reverse one
        related = relation.related_model._default_manager.filter(**{relation.field.name: obj})
        if related.exists():
            return True
    return False


class ReadOnlyAdminMixin:
    """ModelAdmin mixin: staff read these rows and never add, change or delete them (the audit
    log is evidence; allauth's own pages would bypass it)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
