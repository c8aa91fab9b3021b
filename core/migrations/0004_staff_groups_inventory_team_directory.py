from django.db import migrations

_DIRECTORY = ["supportline", "supportnumber", "billingline", "portalassignment", "poaddress", "office"]
_TEAM = ["teamperson", "teamassignment", "teammailbox"]


def _view(*models):
    return [f"view_{model}" for model in models]


def _edit(*models):
    return [f"{verb}_{model}" for model in models for verb in ("view", "add", "change", "delete")]


# What each team may do with the services inventory, the account teams, portal feedback and the
# contact directory. Customer Care keeps the directory and the teams; Billing keeps its own rows.
GROUPS = {
    "TSC": {
        "portal": _view("service", "expansionrequest", *_TEAM),
        "contacts": _view(*_DIRECTORY, "directorychange"),
    },
    "Customer Care": {
        "portal": [
            *_edit("service", *_TEAM),
            "view_expansionrequest", "change_expansionrequest", "view_expansionrequestevent",
            "view_feedback", "change_feedback",
        ],
        "contacts": [*_edit(*_DIRECTORY), "view_directorychange"],
    },
    "Billing": {
        "portal": _view("service", *_TEAM),
        "contacts": [
            *_view(*_DIRECTORY, "directorychange"),
            *_edit("billingline", "poaddress", "portalassignment"),
        ],
    },
    "Change Management": {
        "portal": _view("service", *_TEAM),
        "contacts": _view(*_DIRECTORY),
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
        ("portal", "0003_inventory_team_feedback"),
        ("portal", "0002_staff_groups"),
        ("contacts", "0002_seed_handbook"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
