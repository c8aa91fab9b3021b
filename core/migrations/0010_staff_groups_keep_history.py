from django.db import migrations

# Tickets, orders, change requests and invoice lines point at services, and orders at the team
# people who handled them (review D2). Deleting one of them strips it from that history, so staff
# retire them instead (a service is disconnected, a team person made inactive); only a superuser
# may delete a row nothing points at.
REVOKED = {"Customer Care": {"portal": ["delete_service", "delete_teamperson"]}}


def _change(apps, *, grant: bool) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in REVOKED.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            (group.permissions.add if grant else group.permissions.remove)(*permissions)


def revoke(apps, schema_editor):
    _change(apps, grant=False)


def grant_again(apps, schema_editor):
    _change(apps, grant=True)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0009_audit_staff_actions"),
        ("portal", "0004_staff_groups_inventory_team_directory"),
    ]

    operations = [migrations.RunPython(revoke, grant_again)]
