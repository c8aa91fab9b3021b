# Issue 14 moved these models out of `portal` without touching the database: the tables keep
# their names (Meta.db_table) and rows, only Django's state learns where the models live now.
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0012_outbox_claims_retry_schedule_heartbeat'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExpansionRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(editable=False, max_length=20, unique=True, verbose_name='number')),
                        ('reference', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('kind', models.CharField(choices=[('capacity', 'More bandwidth or capacity'), ('new_site', 'A new site'), ('new_product', 'Another product'), ('other', 'Something else')], max_length=16, verbose_name='what you need')),
                        ('product_line', models.CharField(blank=True, choices=[('internet', 'Internet'), ('ip_vpn', 'IP VPN / Ethernet'), ('sd_wan', 'SD-WAN'), ('cloud_connect', 'Cloud Connect'), ('voice', 'SIP / voice'), ('cdn', 'CDN'), ('ucc', 'Unified communications and collaboration'), ('contact_centre', 'Contact centre'), ('colocation', 'Data centre colocation'), ('managed', 'Managed services'), ('vyvx', 'Vyvx broadcast video')], max_length=20, verbose_name='product line')),
                        ('site_name', models.CharField(blank=True, max_length=120, verbose_name='site')),
                        ('site_address', models.CharField(blank=True, max_length=250, verbose_name='site address')),
                        ('country', models.CharField(blank=True, choices=[('AR', 'Argentina'), ('BR', 'Brazil'), ('CL', 'Chile'), ('CO', 'Colombia'), ('EC', 'Ecuador'), ('MX', 'Mexico'), ('PA', 'Panama'), ('PE', 'Peru'), ('US', 'United States'), ('VE', 'Venezuela')], max_length=2, verbose_name='country')),
                        ('capacity', models.CharField(blank=True, max_length=60, verbose_name='bandwidth or capacity wanted')),
                        ('wanted_by', models.DateField(blank=True, null=True, verbose_name='wanted by')),
                        ('description', models.TextField(verbose_name='description')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('quoted', 'Quoted'), ('ordered', 'Ordered'), ('declined', 'Declined')], default='received', max_length=16, verbose_name='status')),
                        ('notified_to', models.EmailField(blank=True, max_length=254, verbose_name='account manager notified')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='expansion_requests', to='portal.customer', verbose_name='customer')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='expansion_requests', to='portal.service', verbose_name='service')),
                    ],
                    options={
                        'verbose_name': 'expansion request',
                        'verbose_name_plural': 'expansion requests',
                        'db_table': 'portal_expansionrequest',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ExpansionRequestEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('quoted', 'Quoted'), ('ordered', 'Ordered'), ('declined', 'Declined')], max_length=16, verbose_name='status')),
                        ('message', models.TextField(blank=True, verbose_name='message to the customer')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='inventory.expansionrequest', verbose_name='expansion request')),
                    ],
                    options={
                        'verbose_name': 'expansion request step',
                        'verbose_name_plural': 'expansion request steps',
                        'db_table': 'portal_expansionrequestevent',
                        'ordering': ['created_at', 'id'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
