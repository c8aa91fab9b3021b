"""allauth's sign-in rate limit counts in Redis, so every web process shares it."""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD

TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def redis_cache():
    cache_url = os.environ.get("CACHE_URL", "")
    location = cache_url if cache_url.startswith(("redis://", "rediss://")) else settings.REDIS_URL
    config = {
        "BACKEND": "tests.integration.support.PrefixRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": f"portal-test-{uuid.uuid4().hex}",
    }
    with override_settings(CACHES={"default": config}):
        yield cache
        cache.clear()  # this test's keys only


def _sign_in(client, email, password):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.integration
@pytest.mark.django_db
def test_the_sixth_wrong_password_for_one_address_is_refused(
    redis_cache, client, portal_admin_user
):
    for _attempt in range(5):
        response = _sign_in(client, portal_admin_user.email, "wrong-password-1")
        assert response.status_code == 400  # the form again, with its error
        assert TOO_MANY not in response.content.decode()

    response = _sign_in(client, portal_admin_user.email, "wrong-password-1")

    assert TOO_MANY in response.content.decode()
    assert redis_cache.keys(), "the rate-limit counter is not in Redis"
    response = _sign_in(client, portal_admin_user.email, PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
