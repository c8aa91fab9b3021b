from django.db import migrations

# The provider's teams and what each may do in the staff administration. Later areas add
# their own models to these groups in their own migrations.
GROUPS = {
    "TSC": {
        "portal": ["view_customer", "view_membership", "view_user", "view_auditevent"],
    },
    "Customer Care": {
        "portal": [
            "view_customer", "change_customer", "view_membership", "add_membership", "change_membership",
            "view_user", "add_user", "change_user", "view_invitation", "view_auditevent",
        ],
    },
    "Billing": {
        "portal": ["view_customer", "view_membership", "view_user", "view_auditevent"],
    },
    "Change Management": {
        "portal": ["view_customer", "view_membership", "view_user", "view_auditevent"],
    },
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in by_app.items():
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
