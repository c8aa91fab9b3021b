from django.db import migrations

_ALL = ["invoice", "invoiceline", "billingrequest", "disputedline", "billingmessage",
        "billingattachment", "credit", "billingdatachange", "purchaseorderrequest"]
# R-TEAM-5: Billing Customer Care loads invoices, answers requests and issues credits; the other
# staff groups read billing to help the same customer.
GROUPS = {
    "Billing": [f"{verb}_{model}" for model in _ALL for verb in ("view", "add", "change")],
    "Customer Care": [f"view_{model}" for model in _ALL],
    "TSC": ["view_invoice", "view_invoiceline", "view_billingrequest", "view_credit"],
}


def seed(apps, schema_editor):
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
            *Permission.objects.filter(content_type__app_label="billing", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
