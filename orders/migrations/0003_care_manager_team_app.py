# Issue 14 moved these models out of `portal` without touching the database: the tables keep
# their names (Meta.db_table) and rows, only Django's state learns where the models live now.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_staff_groups'),
        ('team', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='care_manager',
                    field=models.ForeignKey(blank=True, help_text='Owns the order until its first invoice (R-TEAM-3).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='team.teamperson', verbose_name='customer care manager'),
                ),
            ],
            database_operations=[],
        ),
    ]
