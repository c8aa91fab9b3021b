"""Staff import services from CSV in the export's format: all rows or none, with a report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Service
from tests.conftest import staff_login
from tests.factories import ServiceFactory, UserFactory

# The import's header, written out: the format staff prepare their files in.
HEADER = (
    "service_id,product_line,satellite,managed,site_name,site_address,country,capacity,status,"
    "activated_on,notes"
)
GOOD = [
    "AR-BUE-IPVPN-1,ip_vpn,no,yes,Casa central,Av. Corrientes 1234,AR,200 Mbps,active,2024-03-01,",
    # Labels in Spanish and Portuguese are accepted as well as codes.
    "AR-BUE-SIP-2,SIP / voz,no,no,Casa central,Av. Corrientes 1234,Argentina,30 canales,En "
    "aprovisionamiento,,",
    "BR-SPO-INT-3,internet,não,não,PoP Cotia,Rod. Raposo Tavares km 22,Brasil,1 "
    "Gbps,Ativo,2023-01-10,",
]


def _import(root_client, customer, lines, name="services.csv", encoding="utf-8"):
    content = "\n".join([HEADER, *lines]).encode(encoding)
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return root_client.post(
        reverse("admin:portal_service_import"), {"customer": customer.pk, "file": upload}
    )


def test_a_clean_file_is_imported(root_client, customer):
    response = _import(root_client, customer, GOOD)
    assert response.status_code == 302
    services = {s.service_id: s for s in Service.objects.filter(customer=customer)}
    assert set(services) == {"AR-BUE-IPVPN-1", "AR-BUE-SIP-2", "BR-SPO-INT-3"}
    assert services["AR-BUE-IPVPN-1"].managed is True
    assert services["AR-BUE-SIP-2"].product_line == "voice"
    assert services["AR-BUE-SIP-2"].status == "provisioning"
    assert services["BR-SPO-INT-3"].country == "BR"
    assert str(services["BR-SPO-INT-3"].activated_on) == "2023-01-10"


def test_one_bad_row_rejects_the_whole_file_with_a_report(root_client, customer):
    bad = [
        *GOOD,
        "AR-X-4,teleport,no,no,Site,Addr,AR,1 Mbps,active,2024-01-01,",
        "AR-X-5,internet,maybe,no,Site,Addr,AR,1 Mbps,active,01/02/2024,",
        "AR-X-6,internet,no,no,Site,Addr,AR,1 Mbps,active,,",
        "AR-BUE-IPVPN-1,internet,no,no,Site,Addr,AR,1 Mbps,provisioning,,",
    ]
    response = _import(root_client, customer, bad)
    assert response.status_code == 400
    assert not Service.objects.exists()
    report = response.context["report"]["errors"]
    lines = {line for line, _problem in report}
    assert lines == {5, 6, 7, 8}
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "teleport" in body
    assert "write yes or no" in body
    assert "YYYY-MM-DD" in body
    assert "needs its activation date" in body
    assert "is also on line 2" in body


def test_a_service_id_of_another_customer_is_refused(root_client, customer, other_customer):
    ServiceFactory(customer=other_customer, service_id="AR-BUE-IPVPN-1", site_name="Theirs")
    response = _import(root_client, customer, GOOD)
    assert response.status_code == 400
    assert "belongs to another customer" in response.content.decode()
    assert Service.objects.get(service_id="AR-BUE-IPVPN-1").customer == other_customer
    assert Service.objects.count() == 1


def test_the_customers_own_service_is_updated(root_client, customer):
    ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-1", capacity="10 Mbps")
    response = _import(root_client, customer, GOOD)
    assert response.status_code == 302
    assert Service.objects.get(service_id="AR-BUE-IPVPN-1").capacity == "200 Mbps"
    assert Service.objects.count() == 3


def test_an_export_imports_back_unchanged(
    root_client, portal_admin_client, customer, other_customer
):
    ServiceFactory(customer=customer, service_id="AR-A-1", notes="=1+1", satellite=True)
    ServiceFactory(customer=customer, service_id="AR-A-2", status="provisioning", activated_on=None)
    exported = portal_admin_client.get(reverse("services:export")).getvalue()
    before = list(Service.objects.order_by("service_id").values())
    staff_login(
        root_client, UserFactory(email="root2@provider.test", is_superuser=True, is_staff=True)
    )
    upload = SimpleUploadedFile("export.csv", exported, content_type="text/csv")
    response = root_client.post(
        reverse("admin:portal_service_import"), {"customer": customer.pk, "file": upload}
    )
    assert response.status_code == 302
    after = list(Service.objects.order_by("service_id").values())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"service_id,status\nA,active", "The header lacks these columns"),
        (HEADER.encode(), "The file has no rows."),
        ((HEADER + "\nAR-Ñ,internet").encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(root_client, customer, content, message):
    upload = SimpleUploadedFile("bad.csv", content, content_type="text/csv")
    response = root_client.post(
        reverse("admin:portal_service_import"), {"customer": customer.pk, "file": upload}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_the_import_page_is_for_staff_with_the_permission(client, customer, portal_admin_user):
    url = reverse("admin:portal_service_import")
    client.force_login(portal_admin_user)  # a customer's portal administrator is not staff
    assert client.get(url).status_code == 302
    clerk = UserFactory(email="clerk@provider.test", is_staff=True)
    staff_login(client, clerk)
    assert client.get(url).status_code == 403


def test_customer_care_imports_services_and_the_tsc_only_reads_them(client, db):
    from django.contrib.auth.models import Group

    care = UserFactory(email="care@provider.test", is_staff=True)
    care.groups.add(Group.objects.get(name="Customer Care"))
    tsc = UserFactory(email="tsc@provider.test", is_staff=True)
    tsc.groups.add(Group.objects.get(name="TSC"))
    staff_login(client, care)
    assert client.get(reverse("admin:portal_service_import")).status_code == 200
    assert client.get(reverse("admin:contacts_supportline_changelist")).status_code == 200
    staff_login(client, tsc)
    assert client.get(reverse("admin:portal_service_import")).status_code == 403
    assert client.get(reverse("admin:portal_service_changelist")).status_code == 200
    assert client.get(reverse("admin:contacts_supportline_add")).status_code == 403
