from datetime import timedelta

from django.db import migrations

# RULES.md defaults (R-TT-3): response / restoration per impact. Staff edit them in admin.
TARGETS = {
    "down": (timedelta(minutes=15), timedelta(hours=4)),
    "degraded": (timedelta(minutes=30), timedelta(hours=8)),
    "no_impact": (timedelta(hours=4), timedelta(hours=72)),
}
_TICKETS = ["ticket", "pauseinterval", "message", "attachment", "watcher"]
# The TSC works the tickets (R-TT-1) and keeps the SLA targets; the other teams read.
GROUPS = {
    "TSC": [
        *[f"{verb}_{model}" for model in _TICKETS for verb in ("view", "add", "change")],
        "view_slatarget",
        "change_slatarget",
    ],
    "Customer Care": ["view_ticket", "view_pauseinterval", "view_message", "view_slatarget"],
    "Billing": ["view_ticket", "view_pauseinterval", "view_slatarget"],
    "Change Management": ["view_ticket", "view_slatarget"],
}


def seed(apps, schema_editor):
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    for impact, (response, restoration) in TARGETS.items():
        SlaTarget.objects.get_or_create(
            impact=impact, defaults={"response": response, "restoration": restoration}
        )
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="tickets", codename__in=codenames)
        )


def unseed(apps, schema_editor):
    apps.get_model("tickets", "SlaTarget").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
