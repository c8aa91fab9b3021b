"""Writes of the contact directory: staff edits in the admin are audited here."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from contacts.models import DirectoryChange, SupportLine


def directory_entry_snapshot(instance: models.Model | None) -> dict | None:
    """The row's values as staff see them (a TSC line with its numbers); None for a new row."""
    if instance is None or instance.pk is None:
        return None
    values = {
        f.name: f.value_from_object(instance)
        for f in instance._meta.concrete_fields
        if not f.primary_key
    }
    if isinstance(instance, SupportLine):
        values["numbers"] = [
            {"kind": n.kind, "printed": n.printed, "e164": n.e164, "menu_option": n.menu_option}
            for n in instance.numbers.order_by("position", "pk")
        ]
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def directory_change_record(
    *, actor, instance: models.Model, action: str, before: dict | None
) -> DirectoryChange | None:
    """Write who changed which directory row, with the values before and after. A save that
    changed nothing is not recorded."""
    after = None if action == DirectoryChange.Action.DELETE else directory_entry_snapshot(instance)
    if action == DirectoryChange.Action.CHANGE and before == after:
        return None
    return DirectoryChange.objects.create(
        actor=actor if actor and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:250],
        before=before,
        after=after,
    )


@transaction.atomic
def directory_entry_delete(*, actor, instance: models.Model) -> DirectoryChange | None:
    """Delete a directory row and record what it held."""
    before = directory_entry_snapshot(instance)
    pk = instance.pk
    instance.delete()
    instance.pk = pk  # for the record's object id
    return directory_change_record(
        actor=actor, instance=instance, action=DirectoryChange.Action.DELETE, before=before
    )
