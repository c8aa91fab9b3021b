"""core.lib.urls: a list's row links and the shell's fixed links are reverse()'s, reversed less
often (issue 15)."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.lib.urls import fixed_url, row_url


@pytest.mark.parametrize(
    "number", ["TT-2026-000001", "TT B 7", "ñandú", "a?b#c", "50%", "x&y=z", "ü'\"<>"]
)
def test_a_row_url_is_reverses_url_for_every_value(number):
    assert row_url("tickets:detail")(number) == reverse("tickets:detail", args=[number])


@pytest.mark.parametrize("number", ["", "a/b"])
def test_a_value_reverse_refuses_is_refused_the_same_way(number):
    url = row_url("tickets:detail")
    with pytest.raises(NoReverseMatch):
        url(number)


def test_a_fixed_url_is_reverses_url_under_each_script_prefix():
    assert fixed_url("portal:profile") == reverse("portal:profile")
    set_script_prefix("/portal/")
    try:
        assert fixed_url("portal:profile") == "/portal/profile/" == reverse("portal:profile")
    finally:
        set_script_prefix("/")
    assert fixed_url("portal:profile") == "/profile/"


def test_an_unknown_name_raises_each_time():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            fixed_url("portal:nowhere")
