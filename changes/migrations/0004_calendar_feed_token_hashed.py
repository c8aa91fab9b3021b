"""Keep only the SHA-256 of each calendar feed token (review A3).

Existing feeds are hashed in place: the URLs calendars are subscribed to keep working. Going
back cannot recover a token from its hash: every shared feed gets a new token (its old URL
stops) and personal feeds, which the older schema cannot hold, are removed.
"""

import hashlib
import secrets

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("changes", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token"):
        feed.token_hash = hashlib.sha256(feed.token.encode()).hexdigest()
        feed.save(update_fields=["token_hash"])


def new_plain_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("changes", "CalendarFeed")
    CalendarFeed.objects.filter(membership__isnull=False).delete()
    for feed in CalendarFeed.objects.all().only("pk"):
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("changes", "0003_calendar_feed_personal")]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(max_length=64, null=True, verbose_name="token (SHA-256)"),
        ),
        # Nullable on the way back, so that the column can return before new tokens fill it.
        migrations.AlterField(
            model_name="calendarfeed",
            name="token",
            field=models.CharField(max_length=64, null=True, unique=True, verbose_name="token"),
        ),
        migrations.RunPython(hash_tokens, new_plain_tokens),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="token (SHA-256)"),
        ),
    ]
