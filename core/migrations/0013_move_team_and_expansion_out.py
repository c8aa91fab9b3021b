# Issue 14 moved these models out of `portal` without touching the database: the tables keep
# their names (Meta.db_table) and rows, only Django's state learns where the models live now.

from django.db import migrations

MOVED = {
    "inventory": ["expansionrequest", "expansionrequestevent"],
    "team": ["teamperson", "teamassignment", "teammailbox"],
}


def _relabel(apps, schema_editor, *, forward: bool) -> None:
    """Content types follow the models, so staff groups keep their permissions and the admin's
    history keeps pointing at the right rows."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        old, new = ("portal", app_label) if forward else (app_label, "portal")
        for model in models:
            if content_type.objects.filter(app_label=new, model=model).exists():
                continue
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel(apps, schema_editor):
    _relabel(apps, schema_editor, forward=True)


def relabel_back(apps, schema_editor):
    _relabel(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0012_outbox_claims_retry_schedule_heartbeat"),
        ("contenttypes", "0002_remove_content_type_name"),
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
