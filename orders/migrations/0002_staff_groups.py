from django.db import migrations

# Customer Care owns orders (R-TEAM-3) and retries failed e-mails; the other teams read.
GROUPS = {
    "Customer Care": {
        "orders": [
            "view_order", "add_order", "change_order",
            "view_touchpoint", "view_orderevent",
        ],
        "portal": [
            "view_notification", "change_notification",
            "view_notificationcontact", "change_notificationcontact",
        ],
    },
    "TSC": {
        "orders": ["view_order", "view_touchpoint", "view_orderevent"],
        "portal": ["view_notification", "view_notificationcontact"],
    },
    "Billing": {
        "orders": ["view_order", "view_touchpoint", "view_orderevent"],
        "portal": ["view_notification", "view_notificationcontact"],
    },
    "Change Management": {
        "orders": ["view_order"],
        "portal": ["view_notification", "view_notificationcontact"],
    },
}


def grant(apps, schema_editor):
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


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codenames in by_app.items():
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("portal", "0005_notification_outbox_contacts"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
