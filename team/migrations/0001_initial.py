# Issue 14 moved these models out of `portal` without touching the database: the tables keep
# their names (Meta.db_table) and rows, only Django's state learns where the models live now.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0012_outbox_claims_retry_schedule_heartbeat'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='TeamMailbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('account_manager', 'Account manager'), ('se_data', 'Sales engineer, Data'), ('se_data_center', 'Sales engineer, Data Center'), ('se_voice', 'Sales engineer, Voice'), ('customer_care_manager', 'Customer care manager'), ('client_experience_lead', 'Client experience lead'), ('service_manager', 'Service manager'), ('customer_service_manager', 'Customer service manager'), ('billing_care', 'Billing Customer Care')], max_length=32, unique=True, verbose_name='role')),
                        ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
                        ('phone', models.CharField(blank=True, help_text='E.164', max_length=32, verbose_name='phone')),
                    ],
                    options={
                        'verbose_name': 'team mailbox',
                        'verbose_name_plural': 'team mailboxes',
                        'db_table': 'portal_teammailbox',
                        'ordering': ['role'],
                    },
                ),
                migrations.CreateModel(
                    name='TeamPerson',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('full_name', models.CharField(max_length=150, verbose_name='full name')),
                        ('email', models.EmailField(max_length=254, unique=True, verbose_name='e-mail address')),
                        ('phone', models.CharField(blank=True, help_text='E.164', max_length=32, verbose_name='phone')),
                        ('languages', models.JSONField(blank=True, default=list, help_text='Language codes: es, pt-br, en.', verbose_name='languages spoken')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'team person',
                        'verbose_name_plural': 'team people',
                        'db_table': 'portal_teamperson',
                        'ordering': ['full_name'],
                    },
                ),
                migrations.CreateModel(
                    name='TeamAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('account_manager', 'Account manager'), ('se_data', 'Sales engineer, Data'), ('se_data_center', 'Sales engineer, Data Center'), ('se_voice', 'Sales engineer, Voice'), ('customer_care_manager', 'Customer care manager'), ('client_experience_lead', 'Client experience lead'), ('service_manager', 'Service manager'), ('customer_service_manager', 'Customer service manager'), ('billing_care', 'Billing Customer Care')], max_length=32, verbose_name='role')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='team', to='portal.customer', verbose_name='customer')),
                        ('person', models.ForeignKey(blank=True, help_text='Leave empty while the role is vacant: customers see the team mailbox.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='team.teamperson', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'account team role',
                        'verbose_name_plural': 'account team',
                        'db_table': 'portal_teamassignment',
                        'ordering': ['customer', 'role'],
                        'constraints': [models.UniqueConstraint(fields=('customer', 'role'), name='team_unique_customer_role')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
