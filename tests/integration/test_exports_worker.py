"""A background CSV export end to end with the real parts (issue 15): the page's POST commits
the export, its task goes through Redis to a real Celery worker process, which writes the file to
the default storage (the filesystem here, as in `make run`), and the person downloads it through
the page: the same rows as the streamed download."""

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse

from core.models import Export
from tests.factories import TicketFactory
from tests.integration.support import wait_until


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_worker_prepares_the_export_and_the_person_downloads_it(
    live_celery, client, customer, portal_admin_user, settings
):
    # The worker process writes under the project's var/media (it has no test settings): the
    # web side reads from the same place, as web and worker share one storage in production.
    settings.MEDIA_ROOT = django_settings.BASE_DIR / "var" / "media"
    settings.CSV_EXPORT_INLINE_MAX_ROWS = 10
    for n in range(25):
        TicketFactory(customer=customer, opened_by=portal_admin_user, subject=f"Link {n}")
    client.force_login(portal_admin_user)
    assert 'data-testid="export-offer"' in client.get(reverse("tickets:export")).content.decode()

    response = client.post(reverse("portal:export_start"), {"kind": "tickets"})
    export = Export.objects.get()
    assert response["Location"] == reverse(
        "portal:export_detail", kwargs={"reference": export.reference}
    )
    wait_until(
        lambda: Export.objects.filter(pk=export.pk, status=Export.Status.DONE).exists(),
        timeout=60,
        what="the worker to prepare the export",
    )
    export.refresh_from_db()
    try:
        assert export.rows_done == 25
        page = client.get(reverse("portal:export_detail", kwargs={"reference": export.reference}))
        assert 'data-status="done"' in page.content.decode()
        download = client.get(
            reverse("portal:export_download", kwargs={"reference": export.reference})
        )
        body = download.getvalue().decode("utf-8-sig")
        assert body.count("\r\n") == 26
        assert all(f"Link {n}" in body for n in range(25))
        assert "core.tasks.export_build" in live_celery.log()
    finally:
        default_storage.delete(export.file.name)
