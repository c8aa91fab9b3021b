from django.db import migrations

# Customer Care and the TSC read customers' background CSV exports in the admin (issue 15): who
# asked for what, how far it got, why it failed. Nobody edits them.
GROUPS = ("TSC", "Customer Care")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("portal")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(content_type__app_label="portal", codename="view_export")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*view)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(content_type__app_label="portal", codename="view_export")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*view)


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_csv_exports")]

    operations = [migrations.RunPython(grant, revoke)]
