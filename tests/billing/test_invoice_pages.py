"""The customer's invoice pages (issue 7, section 1): the list of the last BILLING_MONTHS months
with filters, totals by currency and pagination, its CSV, the invoice page with its lines,
inquiries and credits (R-BIL-1), the PDF download, and a fixed query count."""

import csv
import datetime
import io
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, translation

from billing import rules, services
from billing.models import Invoice
from core.models import Level
from tests.factories import (
    PDF_BYTES,
    CustomerFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
    invoice_with_lines,
)

pytestmark = pytest.mark.django_db

# The export's header, written out: the contract with the customers' spreadsheets.
CSV_COLUMNS = [
    "number",
    "period",
    "issued_on",
    "due_on",
    "currency",
    "subtotal",
    "tax",
    "total",
    "credited",
    "left_to_pay",
    "status",
    "paid_on",
    "lines",
]
NBSP = "\u00a0"


def months_back(customer, months: int) -> datetime.date:
    """The first day of the month `months` before the customer's current month."""
    today = rules.customer_today(customer)
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _page(invoice) -> str:
    return reverse("billing:invoice", args=[invoice.number])


def _pdf(invoice) -> str:
    return reverse("billing:invoice_pdf", args=[invoice.number])


def _numbers(response) -> list[str]:
    return [invoice.number for invoice in response.context["rows"]]


def _csv_rows(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def invoice(customer):
    """A USD invoice of last month, 1,234.56 in total, with its PDF."""
    return invoice_with_lines(
        customer,
        number="FA-0001-00001234",
        amounts=("1000.00", "234.56"),
        period=months_back(customer, 1),
        pdf=True,
    )


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    """A member who may see billing but not act on it, and has no services permission."""
    membership = MembershipFactory(
        customer=customer, user__email="finance@acme.test", billing=Level.VIEW
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def staff(db):
    return UserFactory(email="billing.care@provider.test", is_staff=True)


# --- access ---------------------------------------------------------------------------------


def _paths(invoice) -> list[str]:
    return [
        reverse("billing:list"),
        reverse("billing:export"),
        _page(invoice),
        _pdf(invoice),
    ]


def test_anonymous_people_are_sent_to_sign_in(client, invoice):
    for path in _paths(invoice):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_member_without_the_billing_permission_is_refused(limited_client, invoice):
    for path in _paths(invoice):
        response = limited_client.get(path)
        assert response.status_code == 403, path
        assert "1,234.56" not in response.content.decode()


def test_another_customers_invoice_and_its_pdf_are_not_found(client, other_user, invoice):
    client.force_login(other_user)
    for path in (_page(invoice), _pdf(invoice)):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"%PDF" not in response.content
    assert invoice.number not in client.get(reverse("billing:list")).content.decode()
    assert invoice.number not in client.get(reverse("billing:export")).getvalue().decode()


def test_the_invoice_pages_take_no_post(portal_admin_client, invoice):
    for path in _paths(invoice):
        assert portal_admin_client.post(path).status_code == 405, path


def test_an_invoice_older_than_the_visible_months_is_not_found(
    portal_admin_client, customer, settings
):
    """Decision: the page and the PDF keep the list's window (issue 7: customers see the last
    24 months), so a guessed number of an older invoice is a 404 like another customer's."""
    settings.BILLING_MONTHS = 24
    oldest = invoice_with_lines(
        customer, number="FA-OLDEST", period=months_back(customer, 23), pdf=True
    )
    older = invoice_with_lines(
        customer, number="FA-OLDER", period=months_back(customer, 24), pdf=True
    )
    assert portal_admin_client.get(_page(oldest)).status_code == 200
    assert portal_admin_client.get(_pdf(oldest)).status_code == 200
    assert portal_admin_client.get(_page(older)).status_code == 404
    assert portal_admin_client.get(_pdf(older)).status_code == 404
    assert _numbers(portal_admin_client.get(reverse("billing:list"))) == ["FA-OLDEST"]
    rows = _csv_rows(portal_admin_client.get(reverse("billing:export")))
    assert [row[0] for row in rows[1:]] == ["FA-OLDEST"]


def test_a_view_only_member_sees_the_invoice_but_cannot_ask_or_dispute(viewer_client, invoice):
    response = viewer_client.get(_page(invoice))
    body = response.content.decode()
    assert response.status_code == 200
    assert invoice.number in body
    assert reverse("billing:request_create") not in body
    assert 'data-testid="invoice-pdf"' in body  # downloading is reading
    # Without the services permission the service id is shown, not linked.
    service = invoice.lines.first().service
    assert service.service_id in body
    assert reverse("services:detail", args=[service.service_id]) not in body


def test_a_member_who_may_act_is_offered_to_ask_and_to_dispute(portal_admin_client, invoice):
    body = portal_admin_client.get(_page(invoice)).content.decode()
    create = reverse("billing:request_create")
    assert f'href="{create}?invoice={invoice.number}&amp;kind=question"' in body
    assert f'href="{create}?invoice={invoice.number}&amp;kind=dispute"' in body


# --- the PDF --------------------------------------------------------------------------------


def test_the_pdf_is_an_attachment_no_cache_keeps(portal_admin_client, invoice):
    response = portal_admin_client.get(_pdf(invoice))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_invoice_without_a_pdf_offers_none_and_its_pdf_is_not_found(
    portal_admin_client, customer
):
    bare = invoice_with_lines(customer, number="FA-NOPDF", period=months_back(customer, 1))
    assert portal_admin_client.get(_pdf(bare)).status_code == 404
    assert (
        reverse("billing:invoice_pdf", args=[bare.number])
        not in portal_admin_client.get(_page(bare)).content.decode()
    )
    assert (
        'data-testid="invoice-pdf"'
        not in portal_admin_client.get(reverse("billing:list")).content.decode()
    )


def test_a_pdf_missing_from_storage_is_not_found_rather_than_an_error(portal_admin_client, invoice):
    invoice.pdf.storage.delete(invoice.pdf.name)
    assert portal_admin_client.get(_pdf(invoice)).status_code == 404


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_each_invoice_with_its_figures(
    portal_admin_client, customer, invoice, staff
):
    request_obj = services.billing_request_create(
        customer=customer,
        user=UserFactory(),
        kind="dispute",
        subject="Doubled",
        description="Line 2 is doubled",
        invoice=invoice,
        disputed={invoice.lines.get(position=2).pk: Decimal("100.00")},
    )
    services.credit_issue(
        request_obj=request_obj, staff=staff, amount=Decimal("100"), invoice=invoice
    )
    response = portal_admin_client.get(reverse("billing:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="{_page(invoice)}"' in body
    assert invoice.period.strftime("%B %Y") in body  # month name and year
    assert formats.date_format(invoice.due_on, "SHORT_DATE_FORMAT") in body
    assert "$1,234.56" in body
    assert 'data-testid="credited">− $100.00' in body
    # A partial credit does not label the invoice "credited": something is still to pay.
    assert "Credited</span>" not in body
    assert f'href="{_pdf(invoice)}"' in body


def test_a_late_invoice_stands_out_in_the_list(portal_admin_client, customer):
    period = months_back(customer, 2)
    invoice_with_lines(
        customer, number="FA-LATE", period=period, due_on=period + datetime.timedelta(days=10)
    )
    invoice_with_lines(customer, number="FA-PAID", period=period, status="paid", paid_on=period)
    body = portal_admin_client.get(reverse("billing:list")).content.decode()
    assert body.count('class="billing-row-late"') == 1
    assert body.count('data-testid="late"') == 1
    late_row = body[body.index("FA-LATE") - 200 : body.index("FA-LATE")]
    assert "billing-row-late" in late_row


def test_totals_by_currency_add_up_the_filtered_invoices_with_mixed_currencies(
    portal_admin_client, customer
):
    """Each invoice counts once, however many lines it has; currencies are never mixed."""
    invoice_with_lines(
        customer,
        currency="ARS",
        amounts=("1000.00", "500.00", "1.00"),
        period=months_back(customer, 1),
    )
    invoice_with_lines(
        customer, currency="ARS", amounts=("100.00",), tax="21.00", period=months_back(customer, 2)
    )
    invoice_with_lines(
        customer, currency="USD", amounts=("10.00", "20.00"), period=months_back(customer, 1)
    )
    invoice_with_lines(
        customer, currency="BRL", amounts=("1234.56",), period=months_back(customer, 3)
    )
    invoice_with_lines(
        CustomerFactory(), currency="USD", amounts=("999.00",), period=months_back(customer, 1)
    )

    response = portal_admin_client.get(reverse("billing:list"))
    totals = {row["currency"]: (row["total"], row["count"]) for row in response.context["totals"]}
    assert totals == {
        "ARS": (Decimal("1622.00"), 2),
        "BRL": (Decimal("1234.56"), 1),
        "USD": (Decimal("30.00"), 1),
    }
    body = response.content.decode()
    assert body.index('data-testid="invoice-totals"') < body.index('data-testid="invoice-row"')
    assert "ARS" + NBSP + "1,622.00" in body
    assert "R$" + NBSP + "1,234.56" in body

    response = portal_admin_client.get(reverse("billing:list"), {"currency": "ARS"})
    assert [(r["currency"], r["total"]) for r in response.context["totals"]] == [
        ("ARS", Decimal("1622.00"))
    ]
    response = portal_admin_client.get(
        reverse("billing:list"), {"period_from": months_back(customer, 1).strftime("%Y-%m")}
    )
    assert {r["currency"]: r["total"] for r in response.context["totals"]} == {
        "ARS": Decimal("1501.00"),
        "USD": Decimal("30.00"),
    }


@pytest.fixture
def several(customer):
    """Five invoices over four months in two currencies and every kind of status."""
    return {
        "issued": invoice_with_lines(
            customer,
            number="FA-ISSUED",
            period=months_back(customer, 0),
            due_on=rules.customer_today(customer) + datetime.timedelta(days=10),
        ),
        "overdue": invoice_with_lines(
            customer, number="FA-OVERDUE", status="overdue", period=months_back(customer, 1)
        ),
        "paid": invoice_with_lines(
            customer,
            number="FA-PAID",
            status="paid",
            currency="ARS",
            period=months_back(customer, 2),
        ),
        "dispute": invoice_with_lines(
            customer, number="FA-DISPUTE", status="in_dispute", period=months_back(customer, 3)
        ),
        "credited": invoice_with_lines(
            customer,
            number="FA-CREDITED",
            status="credited",
            currency="ARS",
            period=months_back(customer, 3),
        ),
    }


def test_the_list_shows_the_newest_period_first(portal_admin_client, several):
    assert _numbers(portal_admin_client.get(reverse("billing:list"))) == [
        "FA-ISSUED",
        "FA-OVERDUE",
        "FA-PAID",
        "FA-CREDITED",
        "FA-DISPUTE",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "paid"}, ["FA-PAID"]),
        # The disputed invoice is past its due date: a dispute does not hide that it is late.
        ({"status": "overdue"}, ["FA-OVERDUE", "FA-DISPUTE"]),
        ({"status": "unpaid"}, ["FA-ISSUED", "FA-OVERDUE", "FA-CREDITED", "FA-DISPUTE"]),
        ({"currency": "ARS"}, ["FA-PAID", "FA-CREDITED"]),
        ({"period_from": 2, "period_to": 1}, ["FA-OVERDUE", "FA-PAID"]),
        ({"period_to": 3}, ["FA-CREDITED", "FA-DISPUTE"]),
        ({"status": "in_dispute", "currency": "USD"}, ["FA-DISPUTE"]),
        ({"currency": "CLP"}, []),
    ],
)
def test_the_list_filters_by_period_status_and_currency(
    portal_admin_client, customer, several, query, expected
):
    for name in ("period_from", "period_to"):
        if name in query:
            query[name] = months_back(customer, query[name]).strftime("%Y-%m")
    response = portal_admin_client.get(reverse("billing:list"), query)
    assert response.status_code == 200
    assert _numbers(response) == expected
    rows = _csv_rows(portal_admin_client.get(reverse("billing:export"), query))
    assert [row[0] for row in rows[1:]] == expected


def test_the_currency_filter_offers_the_currencies_the_customer_is_billed_in(
    portal_admin_client, several
):
    response = portal_admin_client.get(reverse("billing:list"))
    choices = [value for value, _label in response.context["form"].fields["currency"].choices]
    assert choices == ["", "ARS", "USD"]


def test_the_filters_keep_their_values_as_months(portal_admin_client, customer, several):
    month = months_back(customer, 2).strftime("%Y-%m")
    body = portal_admin_client.get(reverse("billing:list"), {"period_from": month}).content.decode()
    assert f'type="month" name="period_from" value="{month}"' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period_from": "last year"}, "Enter a month as YYYY-MM"),
        ({"period_to": "2026-13"}, "Enter a month as YYYY-MM"),
        ({"period_from": "2026-03-01"}, "Enter a month as YYYY-MM"),
        (
            {"period_from": "2026-05", "period_to": "2026-01"},
            "The first month is after the last one.",
        ),
        ({"status": "exploded"}, "Select a valid choice"),
        ({"currency": "EUR"}, "Select a valid choice"),
        ({"sort": "password"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_answered_with_a_message_not_an_error(
    portal_admin_client, several, query, message
):
    for name in ("billing:list", "billing:export"):
        response = portal_admin_client.get(reverse(name), query)
        assert response.status_code == 400, name
        assert message in response.content.decode()
        assert response["Content-Type"].startswith("text/html")


def test_bad_filters_are_answered_in_the_readers_language(
    portal_admin_client, portal_admin_user, several
):
    portal_admin_user.language = "es"
    portal_admin_user.save(update_fields=["language"])
    response = portal_admin_client.get(reverse("billing:list"), {"status": "exploded"})
    assert response.status_code == 400
    with translation.override("es"):
        expected = translation.gettext(
            "Select a valid choice. %(value)s is not one of the available choices."
        ) % {"value": "exploded"}
    assert expected in response.content.decode()


def test_the_list_sorts_both_ways_and_marks_the_sorted_column(portal_admin_client, several):
    response = portal_admin_client.get(reverse("billing:list"), {"sort": "number"})
    assert _numbers(response) == sorted(_numbers(response))
    assert 'aria-sort="ascending"' in response.content.decode()
    response = portal_admin_client.get(reverse("billing:list"), {"sort": "-due"})
    dues = [invoice.due_on for invoice in response.context["rows"]]
    assert dues == sorted(dues, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_list_paginates_and_keeps_the_filters(portal_admin_client, customer, settings):
    settings.BILLING_PAGE_SIZE = 5
    for n in range(12):
        invoice_with_lines(
            customer, number=f"FA-{n + 1:03d}", amounts=("10.00",), period=months_back(customer, n)
        )
    response = portal_admin_client.get(
        reverse("billing:list"), {"currency": "USD", "sort": "period", "page": 3}
    )
    assert _numbers(response) == ["FA-002", "FA-001"]
    body = response.content.decode()
    assert "currency=USD&amp;sort=period&amp;page=2" in body
    # The totals are the filtered set's, not the page's.
    assert [(r["total"], r["count"]) for r in response.context["totals"]] == [
        (Decimal("120.00"), 12)
    ]
    assert f'href="{reverse("billing:export")}?currency=USD&amp;sort=period"' in body


def test_the_list_without_invoices_says_what_will_be_here(portal_admin_client, customer):
    body = portal_admin_client.get(reverse("billing:list")).content.decode()
    assert 'data-testid="invoices-empty"' in body
    assert "No invoices yet" in body
    assert "Export CSV" not in body
    assert reverse("billing:home") in body
    invoice_with_lines(customer, period=months_back(customer, 1))
    filtered = portal_admin_client.get(reverse("billing:list"), {"status": "paid"}).content.decode()
    assert "No invoice matches these filters." in filtered
    assert "Show every invoice" in filtered


# --- the CSV --------------------------------------------------------------------------------


def test_the_export_is_every_filtered_invoice_as_csv(
    portal_admin_client, customer, settings, staff
):
    settings.BILLING_PAGE_SIZE = 2
    first = invoice_with_lines(
        customer,
        number="FA-A",
        currency="ARS",
        amounts=("1000.00", "234.56"),
        tax="259.26",
        period=months_back(customer, 1),
        due_on=months_back(customer, 1) + datetime.timedelta(days=15),
    )
    request_obj = services.billing_request_create(
        customer=customer,
        user=UserFactory(),
        kind="dispute",
        subject="Doubled",
        description="Line 2",
        invoice=first,
        disputed={first.lines.get(position=2).pk: Decimal("34.56")},
    )
    services.credit_issue(
        request_obj=request_obj, staff=staff, amount=Decimal("34.56"), invoice=first
    )
    invoice_with_lines(customer, number="FA-B", period=months_back(customer, 2), status="paid")
    invoice_with_lines(customer, number="=1+2", period=months_back(customer, 3))
    invoice_with_lines(customer, number="@SUM(A1)", period=months_back(customer, 4))

    response = portal_admin_client.get(reverse("billing:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = rules.customer_today(customer).isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="invoices-{today}.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = _csv_rows(response)
    assert rows[0] == CSV_COLUMNS
    # Every row, not the page of 2.
    assert [row[0] for row in rows[1:]] == ["FA-A", "FA-B", "'=1+2", "'@SUM(A1)"]
    first_row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first_row == {
        "number": "FA-A",
        "period": months_back(customer, 1).strftime("%Y-%m"),
        "issued_on": months_back(customer, 1).isoformat(),
        "due_on": (months_back(customer, 1) + datetime.timedelta(days=15)).isoformat(),
        "currency": "ARS",
        "subtotal": "1234.56",
        "tax": "259.26",
        "total": "1493.82",
        "credited": "34.56",
        "left_to_pay": "1459.26",
        "status": "Overdue",  # partly credited, the rest past its due date
        "paid_on": "",
        "lines": "2",
    }
    paid = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert paid["left_to_pay"] == "0.00"
    assert paid["status"] == "Paid"


def test_the_export_uses_the_readers_language_for_the_status_only(
    portal_admin_client, portal_admin_user, customer
):
    portal_admin_user.language = "pt-br"
    portal_admin_user.save(update_fields=["language"])
    invoice_with_lines(
        customer, number="FA-PT", amounts=("1234.56",), period=months_back(customer, 1)
    )
    rows = _csv_rows(portal_admin_client.get(reverse("billing:export")))
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert row["total"] == "1234.56"  # a plain decimal a spreadsheet reads, never "1.234,56"
    with translation.override("pt-br"):
        assert row["status"] == str(Invoice.Status.ISSUED.label)


# --- the invoice page -----------------------------------------------------------------------


def test_the_invoice_page_shows_its_header_sums_lines_inquiries_and_credits(
    portal_admin_client, customer, portal_admin_user, staff
):
    services_ = [ServiceFactory(customer=customer, site_name=f"Sede {n}") for n in range(3)]
    invoice = invoice_with_lines(
        customer,
        number="FA-0001-00000777",
        amounts=("1000.00", "200.00", "34.56"),
        tax="259.26",
        services=services_,
        period=months_back(customer, 1),
        pdf=True,
    )
    line1, line2, line3 = invoice.lines.all()
    line3.service = None
    line3.description = "Installation fee"
    line3.save()
    dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Line 2 doubled",
        description="x",
        invoice=invoice,
        disputed={line2.pk: Decimal("100.00")},
    )
    services.credit_issue(
        request_obj=dispute, staff=staff, amount=Decimal("100.00"), invoice=invoice
    )
    open_dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Fee not agreed",
        description="y",
        invoice=invoice,
        disputed={line3.pk: Decimal("34.56")},
    )
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Why?",
        description="z",
        invoice=invoice,
    )

    response = portal_admin_client.get(_page(invoice))
    assert response.status_code == 200
    body = response.content.decode()
    assert "In dispute" in body  # the status in the header
    assert invoice.period.strftime("%B %Y") in body
    assert formats.date_format(invoice.issued_on, "DATE_FORMAT") in body
    assert formats.date_format(invoice.due_on, "DATE_FORMAT") in body
    assert 'data-testid="invoice-subtotal">$1,234.56<' in body
    assert 'data-testid="invoice-tax">$259.26<' in body
    assert 'data-testid="invoice-total">$1,493.82<' in body
    assert 'data-testid="invoice-credited">− $100.00<' in body
    assert 'data-testid="invoice-left">$1,393.82<' in body
    assert "Under open dispute: $34.56" in body
    # Lines in order, services linked to the inventory, the disputed amount on its line.
    assert body.count('data-testid="invoice-line"') == 3
    assert f'href="{reverse("services:detail", args=[services_[0].service_id])}"' in body
    assert "Sede 0" in body
    assert "Installation fee" in body
    assert body.count('data-testid="line-disputed"') == 1
    assert 'data-testid="line-disputed">$34.56<' in body
    # The resolved dispute's line no longer shows as under dispute.
    assert response.context["lines"][1] == (line2, None)
    # Inquiries and disputes link to their pages; the credit names its request.
    for item in (dispute, open_dispute, question):
        assert f'href="{reverse("billing:request_detail", args=[item.number])}"' in body
    assert body.count('data-testid="invoice-request"') == 3
    assert body.count('data-testid="invoice-credit"') == 1
    credit_html = body[body.index('data-testid="invoice-credit"') :]
    assert "$100.00" in credit_html[:400]
    assert dispute.number in credit_html[:600]
    assert f'href="{_pdf(invoice)}"' in body


def test_an_invoice_without_inquiries_or_credits_says_so(portal_admin_client, customer, invoice):
    # Another invoice's question does not show on this one.
    services.billing_request_create(
        customer=customer,
        user=UserFactory(),
        kind="question",
        subject="About another invoice",
        description="x",
        invoice=invoice_with_lines(customer, number="FA-OTHER", period=months_back(customer, 2)),
    )
    body = portal_admin_client.get(_page(invoice)).content.decode()
    assert 'data-testid="invoice-request"' not in body
    assert "No inquiry about this invoice." in body
    assert "No credit on this invoice." in body


def test_a_late_invoice_page_says_so(portal_admin_client, customer):
    period = months_back(customer, 2)
    late = invoice_with_lines(
        customer, number="FA-LATE", period=period, due_on=period + datetime.timedelta(days=5)
    )
    body = portal_admin_client.get(_page(late)).content.decode()
    assert 'data-testid="invoice-late"' in body
    assert "is not paid yet" in body
    paid = invoice_with_lines(
        customer, number="FA-OK", period=period, status="paid", paid_on=period
    )
    body = portal_admin_client.get(_page(paid)).content.decode()
    assert 'data-testid="invoice-late"' not in body
    assert 'data-testid="invoice-left">$0.00<' in body


def test_an_unknown_invoice_number_is_not_found(portal_admin_client, invoice):
    assert portal_admin_client.get(reverse("billing:invoice", args=["FA-NOPE"])).status_code == 404
    assert (
        portal_admin_client.get(reverse("billing:invoice_pdf", args=["FA-NOPE"])).status_code == 404
    )


# --- amounts and dates in the reader's language ---------------------------------------------


@pytest.fixture
def brl_invoice(customer):
    return invoice_with_lines(
        customer,
        number="NF-2026-000123",
        currency="BRL",
        amounts=("1000.00", "234.56"),
        period=months_back(customer, 1),
    )


def test_brazilian_portuguese_reads_reais_as_r_dollar_with_a_comma(
    portal_admin_client, portal_admin_user, brl_invoice
):
    portal_admin_user.language = "pt-br"
    portal_admin_user.save(update_fields=["language"])
    expected = "R$" + NBSP + "1.234,56"
    for path in (reverse("billing:list"), _page(brl_invoice), reverse("billing:home")):
        body = portal_admin_client.get(path).content.decode()
        assert expected in body, path
        assert "1,234.56" not in body, path
    body = portal_admin_client.get(_page(brl_invoice)).content.decode()
    with translation.override("pt-br"):
        assert formats.date_format(brl_invoice.period, "YEAR_MONTH_FORMAT") in body
        assert formats.date_format(brl_invoice.issued_on, "DATE_FORMAT") in body


def test_the_language_cookie_sets_the_amounts_when_the_user_has_no_language(
    portal_admin_client, portal_admin_user, brl_invoice, settings
):
    portal_admin_user.language = ""
    portal_admin_user.save(update_fields=["language"])
    portal_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    assert (
        "R$" + NBSP + "1.234,56"
        in portal_admin_client.get(reverse("billing:list")).content.decode()
    )


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("es", "USD", "US$" + NBSP + "1.234,56"),
        ("es", "BRL", "BRL" + NBSP + "1.234,56"),
        ("en", "USD", "$1,234.56"),
        ("en", "BRL", "R$" + NBSP + "1,234.56"),
        ("pt-br", "USD", "US$" + NBSP + "1.234,56"),
        ("es", "CLP", "CLP" + NBSP + "1.235"),
        ("en", "CLP", "CLP" + NBSP + "1,235"),
        ("pt-br", "CLP", "CLP" + NBSP + "1.235"),
    ],
)
def test_amounts_follow_the_readers_language_and_the_currencys_decimals(
    portal_admin_client, portal_admin_user, customer, language, currency, expected
):
    portal_admin_user.language = language
    portal_admin_user.save(update_fields=["language"])
    invoice = invoice_with_lines(
        customer, currency=currency, amounts=("1234.56",), period=months_back(customer, 1)
    )
    for path in (reverse("billing:list"), _page(invoice)):
        assert expected in portal_admin_client.get(path).content.decode(), (path, language)


def test_chilean_pesos_have_no_decimals_for_a_chilean_customer(client, portal_admin_user):
    chile = CustomerFactory(country="CL", timezone="America/Santiago")
    membership = MembershipFactory(customer=chile, admin=True, user__language="es")
    client.force_login(membership.user)
    invoice = invoice_with_lines(
        chile, currency="CLP", amounts=("1234567.00",), period=months_back(chile, 1)
    )
    body = client.get(_page(invoice)).content.decode()
    assert "$1.234.567" in body
    assert "1.234.567,00" not in body


# --- a fixed number of queries (issue 7, "Figures") -----------------------------------------


def _query_count(client, path) -> tuple[int, float]:
    client.get(path)  # the first request of a session records the session itself
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:  # the CSV's rows are read while it is sent
            response.getvalue()
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, path
    return len(queries), elapsed


def test_the_list_runs_the_same_queries_for_1_and_for_24_months_of_50_lines(
    portal_admin_client, customer, settings, staff
):
    settings.BILLING_MONTHS = 24
    settings.BILLING_PAGE_SIZE = 25
    lines = [ServiceFactory(customer=customer) for _ in range(50)]
    invoice_with_lines(
        customer,
        number="FA-000",
        amounts=("10.00",),
        services=lines,
        period=months_back(customer, 0),
        pdf=True,
    )
    one, one_time = _query_count(portal_admin_client, reverse("billing:list"))
    one_csv, _ = _query_count(portal_admin_client, reverse("billing:export"))

    for month in range(1, 24):
        invoice_with_lines(
            customer,
            number=f"FA-{month:03d}",
            amounts=[f"{n + 1}.00" for n in range(50)],
            services=lines,
            currency=("USD", "ARS", "BRL")[month % 3],
            status=("issued", "paid", "overdue", "in_dispute")[month % 4],
            period=months_back(customer, month),
            pdf=month % 2 == 0,
        )
    many = Invoice.objects.get(number="FA-001")
    request_obj = services.billing_request_create(
        customer=customer,
        user=UserFactory(),
        kind="dispute",
        subject="x",
        description="y",
        invoice=many,
        disputed={many.lines.first().pk: Decimal("1.00")},
    )
    services.credit_issue(
        request_obj=request_obj, staff=staff, amount=Decimal("1.00"), invoice=many
    )
    assert Invoice.objects.filter(customer=customer).count() == 24
    assert (
        sum(invoice.lines.count() for invoice in Invoice.objects.filter(customer=customer)) == 1151
    )

    full, full_time = _query_count(portal_admin_client, reverse("billing:list"))
    response = portal_admin_client.get(reverse("billing:list"))
    assert len(response.context["rows"]) == 24
    assert full == one
    # 3 for the session, user and membership, 4 for the page (the currencies on offer, the
    # count, the totals by currency, the rows). Issue 15: reading a page no longer rewrites
    # the session's activity row (5 of the 12 before).
    assert full == 7
    full_csv, csv_time = _query_count(portal_admin_client, reverse("billing:export"))
    assert full_csv == one_csv
    assert full_csv <= full
    print(
        f"\nFIGURE invoice list: {one} queries for 1 invoice, {full} for 24 x 50 lines "
        f"({full_time * 1000:.0f} ms; 1 invoice {one_time * 1000:.0f} ms); "
        f"CSV {full_csv} queries ({csv_time * 1000:.0f} ms)"
    )


def test_the_invoice_page_runs_the_same_queries_however_many_lines_requests_and_credits(
    portal_admin_client, customer, portal_admin_user, staff
):
    few = invoice_with_lines(
        customer, number="FA-FEW", amounts=("10.00",), period=months_back(customer, 1)
    )
    baseline, _ = _query_count(portal_admin_client, _page(few))

    lines = [ServiceFactory(customer=customer) for _ in range(50)]
    many = invoice_with_lines(
        customer,
        number="FA-MANY",
        amounts=[f"{n + 1}.00" for n in range(50)],
        services=lines,
        period=months_back(customer, 1),
        pdf=True,
    )
    first, second, third = list(many.lines.all()[:3])
    resolved = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="a",
        description="b",
        invoice=many,
        disputed={first.pk: Decimal("1.00"), second.pk: Decimal("2.00")},
    )
    services.credit_issue(request_obj=resolved, staff=staff, amount=Decimal("3.00"), invoice=many)
    for line in (third, *many.lines.all()[3:6]):
        services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="dispute",
            subject="c",
            description="d",
            invoice=many,
            disputed={line.pk: Decimal("1.00")},
        )
    services.billing_request_create(
        customer=customer,
        user=UserFactory(),
        kind="question",
        subject="e",
        description="f",
        invoice=many,
    )
    count, elapsed = _query_count(portal_admin_client, _page(many))
    assert count == baseline
    body = portal_admin_client.get(_page(many)).content.decode()
    assert body.count('data-testid="invoice-line"') == 50
    assert body.count('data-testid="line-disputed"') == 4
    print(f"\nFIGURE invoice page: {count} queries for 1 and 50 lines ({elapsed * 1000:.0f} ms)")
