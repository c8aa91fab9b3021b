"""CSV exports too large to stream (issue 15): above CSV_EXPORT_INLINE_MAX_ROWS the download
offers to prepare the file; a POST asks a worker (eager Celery here; the real worker in
tests/integration/test_exports_worker.py), the page shows its progress, the person downloads the
same bytes the streamed export gives. Only the person who asked sees it; a dead worker's export
fails after CSV_EXPORT_STALE_AFTER and can be asked again; files go after CSV_EXPORT_KEEP_HOURS."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from core.models import Export, Level
from core.scopes import scope
from core.services.exports import exports_sweep
from core.tasks import export_build
from tests.factories import MembershipFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 15, 30, 45, tzinfo=datetime.UTC)
EXPORT = reverse("tickets:export")
START = reverse("portal:export_start")


def _detail(export) -> str:
    return reverse("portal:export_detail", kwargs={"reference": export.reference})


def _download(export) -> str:
    return reverse("portal:export_download", kwargs={"reference": export.reference})


@pytest.fixture
def three_tickets(customer, portal_admin_user, settings):
    settings.CSV_EXPORT_INLINE_MAX_ROWS = 2
    with time_machine.travel(NOW - datetime.timedelta(hours=3), tick=False):
        return [
            TicketFactory(customer=customer, opened_by=portal_admin_user, impact=impact)
            for impact in ("down", "down", "degraded")
        ]


def _ask(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(START, data)


def test_a_large_export_is_offered_prepared_by_the_worker_and_downloaded_byte_for_byte(
    portal_admin_client, three_tickets, settings, django_capture_on_commit_callbacks
):
    settings.CSV_EXPORT_INLINE_MAX_ROWS = 1
    with time_machine.travel(NOW, tick=False):
        offer = portal_admin_client.get(EXPORT, {"impact": "down"})
        assert offer.status_code == 200
        assert not offer.streaming
        body = offer.content.decode()
        assert 'data-testid="export-offer"' in body
        assert 'name="impact" value="down"' in body

        response = _ask(
            portal_admin_client,
            {"kind": "tickets", "impact": "down"},
            django_capture_on_commit_callbacks,
        )
        export = Export.objects.get()
        assert response.status_code == 302
        assert response["Location"] == _detail(export)
        assert export.status == Export.Status.DONE
        assert (export.rows_done, export.rows_total) == (2, 2)
        assert export.params == {"impact": "down"}

        page = portal_admin_client.get(_detail(export)).content.decode()
        assert 'data-status="done"' in page
        assert _download(export) in page
        download = portal_admin_client.get(_download(export))
        assert download["Content-Disposition"] == f'attachment; filename="{export.filename}"'
        assert export.filename.startswith("tickets-20261207-")
        assert "no-store" in download["Cache-Control"]
        stored = download.getvalue()

        settings.CSV_EXPORT_INLINE_MAX_ROWS = 5000
        streamed = portal_admin_client.get(EXPORT, {"impact": "down"}).getvalue()
    assert stored == streamed
    assert stored.count(b"\r\n") == 3


def test_the_page_polls_its_progress_while_the_export_runs(
    portal_admin_client, customer, portal_admin_user
):
    export = Export.objects.create(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="en",
        time_zone="UTC",
        filename="tickets.csv",
        status=Export.Status.RUNNING,
        rows_total=8000,
        rows_done=2000,
    )
    page = portal_admin_client.get(_detail(export)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'value="25"' in page  # the progress bar, 25%
    assert "htmx.min.js" in page

    part = portal_admin_client.get(_detail(export), headers={"HX-Request": "true"})
    text = part.content.decode()
    assert text.lstrip().startswith("<section")
    assert "<html" not in text
    assert "2000 of 8000 rows written." in text
    assert portal_admin_client.get(_download(export)).status_code == 404  # not ready yet


def test_asking_twice_while_it_is_under_way_is_one_export(
    portal_admin_client, three_tickets, customer, portal_admin_user
):
    # No on_commit callbacks run here: the export stays pending, as with a busy worker.
    first = portal_admin_client.post(START, {"kind": "tickets", "status": "active"})
    second = portal_admin_client.post(START, {"kind": "tickets", "status": "active"})
    assert first["Location"] == second["Location"]
    assert Export.objects.count() == 1
    offer = portal_admin_client.get(EXPORT, {"status": "active"}).content.decode()
    assert 'data-testid="export-under-way"' in offer


def test_filters_that_do_not_validate_are_a_400_with_a_message(portal_admin_client, three_tickets):
    response = portal_admin_client.post(START, {"kind": "tickets", "opened_from": "not a date"})
    assert response.status_code == 400
    assert "correct them on the list" in response.content.decode()
    assert not Export.objects.exists()
    assert portal_admin_client.post(START, {"kind": "nothing"}).status_code == 404


def test_an_export_is_only_for_the_person_who_asked(
    client,
    portal_admin_user,
    limited_user,
    other_user,
    customer,
    three_tickets,
    django_capture_on_commit_callbacks,
):
    client.force_login(portal_admin_user)
    _ask(client, {"kind": "tickets"}, django_capture_on_commit_callbacks)
    export = Export.objects.get()
    assert client.get(_download(export)).status_code == 200

    # Another customer's administrator: 404, as every foreign object.
    client.force_login(other_user)
    assert client.get(_detail(export)).status_code == 404
    assert client.get(_download(export)).status_code == 404
    # Another person of the same customer, with the tickets area too: 404 as well; it holds
    # what one person asked for, and their list of exports does not show it.
    client.force_login(limited_user)
    assert client.get(_detail(export)).status_code == 404
    assert client.get(_download(export)).status_code == 404
    assert export.filename not in client.get(reverse("portal:exports")).content.decode()


def test_a_person_without_the_area_cannot_ask_nor_download(client, customer, three_tickets):
    member = MembershipFactory(customer=customer, tickets=Level.NONE, services=Level.VIEW).user
    client.force_login(member)
    assert client.post(START, {"kind": "tickets"}).status_code == 403
    export = Export.objects.create(
        customer=customer,
        requested_by=member,
        kind="tickets",
        language="es",
        time_zone="UTC",
        filename="t.csv",
        status=Export.Status.DONE,
    )
    # Their own export, from when they had the area: no longer theirs to read.
    assert client.get(_detail(export)).status_code == 403
    assert client.get(_download(export)).status_code == 403


def test_a_dead_workers_export_fails_after_a_while_and_can_be_asked_again(
    portal_admin_client, three_tickets, settings, django_capture_on_commit_callbacks
):
    settings.CSV_EXPORT_STALE_AFTER = 600
    with time_machine.travel(NOW, tick=False):
        portal_admin_client.post(START, {"kind": "tickets"})  # its task never runs
        export = Export.objects.get()
        Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING)
    with time_machine.travel(NOW + datetime.timedelta(seconds=599), tick=False):
        assert exports_sweep() == {"stale": 0, "expired": 0}
    with time_machine.travel(NOW + datetime.timedelta(seconds=601), tick=False):
        assert exports_sweep() == {"stale": 1, "expired": 0}
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    page = portal_admin_client.get(_detail(export)).content.decode()
    assert 'data-status="failed"' in page
    assert "hx-trigger" not in page
    # Redelivered to a live worker, the failed export stays failed: it is not built twice.
    assert export_build.delay(export.pk).get() == "not pending"

    _ask(portal_admin_client, {"kind": "tickets"}, django_capture_on_commit_callbacks)
    again = Export.objects.exclude(pk=export.pk).get()
    assert again.status == Export.Status.DONE


def test_old_files_are_removed_and_their_download_is_gone(
    portal_admin_client, customer, portal_admin_user, settings
):
    settings.CSV_EXPORT_KEEP_HOURS = 72
    export = Export(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="es",
        time_zone="UTC",
        filename="t.csv",
        status=Export.Status.DONE,
        finished_at=NOW - datetime.timedelta(hours=73),
    )
    export.file.save("x.csv", ContentFile(b"number\r\n"), save=False)
    export.save()
    fresh = Export(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="es",
        time_zone="UTC",
        filename="t.csv",
        status=Export.Status.DONE,
        finished_at=NOW - datetime.timedelta(hours=71),
    )
    fresh.file.save("y.csv", ContentFile(b"number\r\n"), save=False)
    fresh.save()
    name = export.file.name
    with time_machine.travel(NOW, tick=False):
        assert exports_sweep() == {"stale": 0, "expired": 1}
    assert not default_storage.exists(name)
    assert default_storage.exists(fresh.file.name)
    export.refresh_from_db()
    assert export.status == Export.Status.EXPIRED
    assert portal_admin_client.get(_download(export)).status_code == 404
    assert portal_admin_client.get(_download(fresh)).status_code == 200


def test_the_task_opens_no_scope_of_its_own_and_builds_in_the_customers(
    customer, portal_admin_user, three_tickets, other_customer
):
    TicketFactory(customer=other_customer)  # never in Acme's file
    export = Export.objects.create(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="es",
        time_zone="America/Argentina/Buenos_Aires",
        filename="t.csv",
    )
    with scope():  # an empty customer scope, as a request outside any customer has
        assert export_build.delay(export.pk).get() == Export.Status.DONE
    export.refresh_from_db()
    assert export.rows_done == 3
    assert export.file.read().count(b"\r\n") == 4


def test_staff_read_exports_in_the_admin_without_changing_them(
    tsc_client, customer, portal_admin_user
):
    export = Export.objects.create(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="es",
        time_zone="UTC",
        filename="t.csv",
        status=Export.Status.FAILED,
        error="stopped",
    )
    listing = tsc_client.get(reverse("admin:portal_export_changelist"))
    assert listing.status_code == 200
    assert portal_admin_user.email in listing.content.decode()
    page = tsc_client.get(reverse("admin:portal_export_change", args=[export.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        tsc_client.post(reverse("admin:portal_export_change", args=[export.pk]), {}).status_code
        == 403
    )
