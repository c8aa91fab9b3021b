"""A large tickets CSV in a real browser (issue 15): the download above CSV_EXPORT_INLINE_MAX_ROWS
offers to prepare the file, the export's page shows it ready and downloads it; a page of an export
still running follows its progress by itself (htmx polling) until the download appears."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Export
from tests.browser.helpers import sign_in
from tests.factories import ticket_open_for

pytestmark = pytest.mark.browser


@pytest.fixture
def three_tickets(customer, portal_admin_user, settings):
    settings.CSV_EXPORT_INLINE_MAX_ROWS = 2
    return [ticket_open_for(customer, portal_admin_user, subject=f"Fault {n}") for n in range(3)]


def test_a_large_export_is_prepared_and_downloaded(
    page, screenshot, portal_admin_user, three_tickets
):
    sign_in(page, portal_admin_user.email)
    page.goto("/tickets/")
    page.get_by_test_id("export").click()

    expect(page.get_by_test_id("export-offer")).to_contain_text("3 rows")
    screenshot(page, "1-offer")
    page.get_by_test_id("export-start").click()

    progress = page.get_by_test_id("export-progress")
    expect(progress).to_have_attribute("data-status", "done")
    screenshot(page, "2-ready")
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
    assert content.startswith("number,subject,services")
    assert all(ticket.number in content for ticket in three_tickets)


def test_the_page_of_a_running_export_follows_it_until_the_file_is_ready(
    page, screenshot, customer, portal_admin_user, three_tickets
):
    export = Export.objects.create(
        customer=customer,
        requested_by=portal_admin_user,
        kind="tickets",
        language="en",
        time_zone="UTC",
        filename="tickets.csv",
        status=Export.Status.RUNNING,
        rows_total=3,
        rows_done=1,
    )
    sign_in(page, portal_admin_user.email)
    page.goto(f"/exports/{export.reference}/")
    expect(page.get_by_test_id("export-progress")).to_contain_text("1 of 3 rows written")
    screenshot(page, "1-running")

    export.file.save("tickets.csv", ContentFile(b"number\n"), save=False)
    export.status, export.rows_done, export.finished_at = Export.Status.DONE, 3, timezone.now()
    export.save()

    # No reload: the page asks again every 2 seconds.
    expect(page.get_by_test_id("export-download")).to_be_visible(timeout=6000)
    screenshot(page, "2-done")
