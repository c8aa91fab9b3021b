"""Maintenance calendar feeds per member: a feed may belong to one membership (personal); the
customer's existing feed stays as its shared feed (no membership), so subscribers keep it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_catalog_staff_groups"),
        ("portal", "0008_audit_credit_override"),
    ]

    operations = [
        migrations.AlterField(
            model_name="calendarfeed",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calendar_feeds",
                to="portal.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="membership",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calendar_feed",
                to="portal.membership",
                verbose_name="owner",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendarfeed",
            constraint=models.UniqueConstraint(
                condition=models.Q(("membership__isnull", True)),
                fields=("customer",),
                name="calendar_feed_one_shared_per_customer",
            ),
        ),
    ]
