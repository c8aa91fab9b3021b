"""The three duration forms every area shows: the clock, the compact form and words."""

from datetime import timedelta

import pytest
from django.utils import translation

from core.lib.durations import duration_clock, duration_compact, duration_words

H, M, S = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0:00:00"),
        (9 * S, "0:00:09"),
        (27 * H + 5 * M + 9 * S, "27:05:09"),  # hours beyond a day stay hours
        (76 * H + 5 * M, "76:05:00"),
        (-(3 * H + 2 * M), "3:02:00"),  # a breached clock's overdue time
    ],
)
def test_the_clock_counts_hours_without_bound_and_reads_the_same_in_every_language(delta, text):
    for language in ("es", "pt-br", "en"):
        with translation.override(language):
            assert duration_clock(delta) == text


@pytest.mark.parametrize(
    ("delta", "text", "padded"),
    [
        (4 * H, "4 h", "4 h 00 min"),
        (15 * M, "15 min", "0 h 15 min"),
        (3 * H + 25 * M, "3 h 25 min", "3 h 25 min"),
        (3 * 24 * H + 2 * H + 40 * M, "3 d 2 h", "3 d 2 h"),  # minutes dropped past a day
        (2 * 24 * H, "2 d", "2 d 0 h"),
        (-(6 * H + 30 * M), "6 h 30 min", "6 h 30 min"),
        (59 * S, "less than 1 min", "0 h 00 min"),
    ],
)
def test_the_compact_form_shows_the_two_largest_units_and_padded_always_shows_two(
    delta, text, padded
):
    with translation.override("en"):
        assert duration_compact(delta) == text
        assert duration_compact(delta, padded=True) == padded


def test_the_compact_form_is_translated():
    with translation.override("es"):
        assert duration_compact(30 * S) == "menos de 1 min"
        assert duration_compact(2 * H + 5 * M) == "2 h 05 min"
    with translation.override("pt-br"):
        assert duration_compact(30 * S) == "menos de 1 min"


@pytest.mark.parametrize(
    ("language", "delta", "text"),
    [
        ("en", 4 * H, "4 hours"),
        ("en", 26 * H + 30 * M, "1 day, 2 hours"),
        ("es", 4 * H, "4 horas"),
        ("es", 90 * M, "1 hora, 30 minutos"),
        ("pt-br", 4 * H, "4 horas"),
        ("en", -H, "0 minutes"),  # never a negative duration in an e-mail
    ],
)
def test_words_use_djangos_translated_units_two_at_most(language, delta, text):
    with translation.override(language):
        assert duration_words(delta) == text
