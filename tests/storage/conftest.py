import pytest

from core.models import Level
from tests.factories import MembershipFactory, ServiceFactory


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer)


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    """A member who may only look at the customer's tickets (and so download their files)."""
    membership = MembershipFactory(
        customer=customer, user__email="viewer@acme.test", tickets=Level.VIEW
    )
    client.force_login(membership.user)
    return client
