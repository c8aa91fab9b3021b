"""One CSV download for every export: BOM, a file name, never cached, formulas defused."""

import csv
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django_scopes.state import get_scope

from core.lib.csv_export import csv_cell_restored, csv_cell_safe, csv_response
from core.scopes import customer_scope, scopes_disabled


def _rows(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the accents right with the BOM
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_response_is_a_named_download_that_is_never_cached():
    response = csv_response("tickets-20261207-0900.csv", ["number", "subject"], [])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tickets-20261207-0900.csv"'
    assert response["Cache-Control"] == "no-store"
    assert _rows(response) == [["number", "subject"]]


def test_every_text_cell_is_defused_and_numbers_pass_as_they_are():
    rows = [['=HYPERLINK("x")', "+54 11", "-1", "@SUM(A1)", "São Paulo", -3, Decimal("-12.50")]]
    response = csv_response("x.csv", list("abcdefg"), iter(rows))
    assert _rows(response)[1] == [
        '\'=HYPERLINK("x")',
        "'+54 11",
        "'-1",
        "'@SUM(A1)",
        "São Paulo",
        "-3",
        "-12.50",
    ]


def test_a_cell_defused_once_is_not_defused_again_and_comes_back_as_it_was():
    for value in ("=1+1", "\tindent", "-x", "plain", "'quoted"):
        safe = csv_cell_safe(value)
        assert csv_cell_safe(safe) == safe
        assert csv_cell_restored(safe) == value
    assert csv_cell_restored("'plain") == "'plain"  # an apostrophe the author typed stays


def test_the_rows_are_read_while_the_response_is_sent_not_before():
    read = []

    def rows():
        for n in range(600):
            read.append(n)
            yield [n, f"row {n}"]

    response = csv_response("x.csv", ["n", "text"], rows())
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(response.streaming_content)
    assert next(chunks) == "\ufeffn,text\r\n".encode()
    assert read == []
    next(chunks)
    assert 0 < len(read) < 600  # a piece at a time, not the whole file
    assert len(_rows(csv_response("x.csv", ["n", "text"], rows()))) == 601


@pytest.mark.django_db
def test_the_rows_are_read_in_the_views_scope_language_and_timezone(customer):
    seen = []

    def rows():
        seen.append(
            (
                get_scope().get("customer"),
                translation.get_language(),
                timezone.get_current_timezone_name(),
            )
        )
        yield ["x"]

    with (
        scopes_disabled(),
        customer_scope(customer),
        translation.override("pt-br"),
        timezone.override("Asia/Tokyo"),
    ):
        response = csv_response("x.csv", ["a"], rows())
    # Sent after the view returned: the middleware has put everything back by then.
    with translation.override("en"):
        _rows(response)
    assert seen == [(customer, "pt-br", "Asia/Tokyo")]
