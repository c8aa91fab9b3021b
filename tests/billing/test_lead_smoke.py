"""Lead's smoke test of the billing skeleton (the helpers' test files cover each area)."""

from decimal import Decimal

import pytest
from django.utils import translation

from billing import services
from billing.models import BillingRequest, Invoice
from core.models import AuditEvent
from tests.factories import CustomerFactory, MembershipFactory, UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db


def test_dispute_then_credit_then_override_is_audited(mailoutbox):
    customer = CustomerFactory()
    user = UserFactory()
    staff = UserFactory(is_staff=True)
    invoice = invoice_with_lines(customer, amounts=("100.00", "50.00"), pdf=True)
    line = invoice.lines.first()
    request_obj = services.billing_request_create(
        customer=customer,
        user=user,
        kind="dispute",
        subject="Wrong charge",
        description="Line 1 doubled",
        invoice=invoice,
        disputed={line.pk: Decimal("40.00")},
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.IN_DISPUTE
    assert request_obj.requested_amount == Decimal("40.00")
    with translation.override("en"), pytest.raises(Exception, match="more than the customer asked"):
        services.credit_issue(
            request_obj=request_obj, staff=staff, amount=Decimal("41"), invoice=invoice
        )
    credit = services.credit_issue(
        request_obj=request_obj,
        staff=staff,
        amount=Decimal("45"),
        invoice=invoice,
        override=True,
        override_reason="Goodwill",
    )
    assert credit.override
    assert AuditEvent.objects.filter(action="credit_override", customer=customer).exists()
    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.RESOLVED
    invoice.refresh_from_db()
    # 45 of 150 credited: the rest is still owed, past its due date or not.
    assert invoice.status in (Invoice.Status.ISSUED, Invoice.Status.OVERDUE)


def test_dispute_above_line_amount_is_refused():
    customer = CustomerFactory()
    invoice = invoice_with_lines(customer, amounts=("100.00",))
    with translation.override("en"), pytest.raises(Exception, match="at most the line"):
        services.billing_request_create(
            customer=customer,
            user=UserFactory(),
            kind="dispute",
            subject="x",
            description="y",
            invoice=invoice,
            disputed={invoice.lines.get().pk: Decimal("100.01")},
        )


def test_every_billing_email_renders(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.models import PoAddress
    from core.models import Notification
    from core.notifications import notification_message
    from tests.factories import PDF_BYTES

    settings.BILLING_MAILBOX = "billing@provider.test"
    PoAddress.objects.create(countries=["AR"], email="po-ar@provider.test")
    customer = CustomerFactory()
    # A member of the customer: e-mails go only to people who still work for it.
    user = MembershipFactory(customer=customer, admin=True).user
    staff = UserFactory(is_staff=True)
    invoice = invoice_with_lines(customer, amounts=("100.00",))
    request_obj = services.billing_request_create(
        customer=customer,
        user=user,
        kind="question",
        subject="Why?",
        description="z",
        invoice=invoice,
    )
    services.billing_request_staff_message(
        request_obj=request_obj, staff=staff, body="Which line?", status="waiting"
    )
    services.billing_request_reply(request_obj=request_obj, user=user, body="Line 1")
    services.billing_request_answer(request_obj=request_obj, staff=staff, answer="It is right.")
    change = services.billing_data_change_create(
        customer=customer, user=user, data={"tax_id": "20267565393", "company_name": "New SA"}
    )
    assert change.tax_id == "20-26756539-3"
    services.billing_data_change_handle(change=change, staff=staff, status="applied")
    po = services.po_request_create(
        customer=customer,
        user=user,
        kind="po",
        reference="PO-778",
        support=SimpleUploadedFile("po.pdf", PDF_BYTES),
        invoices=[invoice],
    )
    assert po.routed_to == "po-ar@provider.test"
    services.po_request_handle(po=po, staff=staff, status="done")
    templates = set()
    for notification in Notification.objects.all():
        message = notification_message(notification)
        assert message.subject
        templates.add(notification.template)
    assert len(templates) == 8, templates
