# Issue 14 moved these models out of `portal` without touching the database: the tables keep
# their names (Meta.db_table) and rows, only Django's state learns where the models live now.

from django.db import migrations

MOVED = {
    "inventory": ["expansionrequest", "expansionrequestevent"],
    "team": ["teamperson", "teamassignment", "teammailbox"],
}


def _relabel(apps, schema_editor, *, forward: bool) -> None:
    """Content types follow the models, so staff groups keep their permissions and the admin's
    history keeps pointing at the right rows. Another app's data migration may already have made
    the new content type (it creates permissions for every model it sees): then the grants and
    the admin history move over to it and the old one goes."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    user = apps.get_model("portal", "User")
    log_entry = apps.get_model("admin", "LogEntry")
    for app_label, models in MOVED.items():
        old_label, new_label = ("portal", app_label) if forward else (app_label, "portal")
        for model in models:
            old = content_type.objects.filter(app_label=old_label, model=model).first()
            if old is None:
                continue
            new = content_type.objects.filter(app_label=new_label, model=model).first()
            if new is None:
                old.app_label = new_label
                old.save(update_fields=["app_label"])
                continue
            for grant in permission.objects.filter(content_type=old):
                kept, _ = permission.objects.get_or_create(
                    content_type=new, codename=grant.codename, defaults={"name": grant.name}
                )
                for holder in group.objects.filter(permissions=grant):
                    holder.permissions.add(kept)
                for holder in user.objects.filter(user_permissions=grant):
                    holder.user_permissions.add(kept)
            log_entry.objects.filter(content_type=old).update(content_type=new)
            old.delete()


def relabel(apps, schema_editor):
    _relabel(apps, schema_editor, forward=True)


def relabel_back(apps, schema_editor):
    _relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_outbox_claims_retry_schedule_heartbeat"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("inventory", "0001_initial"),
        ("team", "0001_initial"),
        ("orders", "0003_care_manager_team_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ExpansionRequestEvent"),
                migrations.DeleteModel(name="ExpansionRequest"),
                migrations.DeleteModel(name="TeamAssignment"),
                migrations.DeleteModel(name="TeamMailbox"),
                migrations.DeleteModel(name="TeamPerson"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel, relabel_back),
    ]
