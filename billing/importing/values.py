"""Reading one value of a batch, with the message a person fixing the file needs: the value they
wrote, the format expected and an example. The checks of invoice numbers and PDFs are shared with
the invoice form of the admin.

Django's form fields are not used for numbers and dates: their "invalid" errors carry no value to
quote, they accept what the billing system must not send (1e3, +5, .5, a JSON true), and they
cannot tell a thousands separator from a decimal comma."""

import os
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from billing.importing.formats import NUMBER_MAX, NUMBER_PATTERN
from billing.importing.records import Problem
from core.errors import DomainError
from core.lib.uploads import pdf_complete


class Bad(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def tax_id_compact(value: str) -> str:
    """A tax id as compared: no '.', '-', '/' or spaces, upper case (RUT check digit K)."""
    return re.sub(r"[.\-/\s]", "", str(value)).upper()


def text(value: Any, *, required: bool, numbers: bool = False) -> str:
    if value is None:
        value = ""
    if isinstance(value, bool) or (not isinstance(value, str) and not numbers):
        raise Bad(_("Write this as text."))
    if not isinstance(value, str):
        if not isinstance(value, int | Decimal):
            raise Bad(_("Write this as text."))
        value = str(value)
    value = value.strip()
    if required and not value:
        raise Bad(_("This is required."))
    return value


def decimal(value: Any, *, places: int, digits: int, label_example: str = "1234.56") -> Decimal:
    """A number written with a decimal point, no thousands separators, at most `places`
    decimals and `digits` digits in all."""
    number = _number(value, label_example)
    if not number.is_finite():
        raise Bad(_("Write a number, for example %(example)s.") % {"example": label_example})
    if abs(number) >= Decimal(10) ** (digits - places):
        raise Bad(_("This number is too large."))
    try:
        exact = number == number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        exact = False
    if not exact:
        message = _("At most %(places)d decimals.") % {"places": places}
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", value.strip()):
            message += " " + _("Thousands separators are not allowed: write 1234.56.")
        raise Bad(message)
    return number


def _number(value: Any, label_example: str) -> Decimal:
    """A JSON number as it is; a text only as digits with an optional point and sign."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str):
        raise Bad(_("Write a number, for example %(example)s.") % {"example": label_example})
    written = value.strip()
    if not written:
        raise Bad(_("This is required."))
    if "," in written:
        raise Bad(
            _(
                "“%(value)s”: write numbers with a decimal point and no thousands "
                "separators, for example 1234.56 (not 1.234,56 or 1,234.56)."
            )
            % {"value": written}
        )
    if not re.fullmatch(r"-?\d+(\.\d+)?", written):
        raise Bad(
            _("“%(value)s” is not a number; write it like %(example)s.")
            % {"value": written, "example": label_example}
        )
    return Decimal(written)


def day(value: Any, *, month: bool = False) -> date:
    written = text(value, required=True)
    pattern = r"\d{4}-\d{2}" if month else r"\d{4}-\d{2}-\d{2}"
    example = "2026-11" if month else "2026-11-03"
    try:
        if not re.fullmatch(pattern, written):
            raise ValueError(written)
        return date.fromisoformat(f"{written}-01" if month else written)
    except ValueError:
        raise Bad(
            _("“%(value)s” is not a valid date: write it as %(format)s, for example %(example)s.")
            % {"value": written, "format": "YYYY-MM" if month else "YYYY-MM-DD", "example": example}
        ) from None


def check(problems: list[Problem], where: str, name: str, read, *args, **kwargs):
    """`read(*args, **kwargs)`, or None with its message added to `problems`."""
    try:
        return read(*args, **kwargs)
    except Bad as bad:
        problems.append(Problem(where, name, bad.message))
        return None


def invoice_number_problem(number: str) -> str | None:
    if not number:
        return _("Enter the invoice number.")
    if len(number) > NUMBER_MAX:
        return _("At most %(max)d characters.") % {"max": NUMBER_MAX}
    if not NUMBER_PATTERN.fullmatch(number):
        return _(
            "Use only letters, digits, '-', '_' and '.', starting with a letter or a digit "
            "(the number is part of the invoice's address in the portal)."
        )
    return None


def invoice_pdf_check(upload, *, max_mb: int | None = None) -> None:
    """The uploaded invoice is a PDF by its content, whatever its name, and not too large."""
    max_mb = max_mb if max_mb is not None else settings.INVOICE_PDF_MAX_MB
    if upload.size > max_mb * 1024 * 1024:
        raise DomainError(
            _("The PDF is larger than %(limit)d MB.") % {"limit": max_mb}, field="pdf"
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field="pdf")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    complete = kind is not None and kind.mime == "application/pdf" and pdf_complete(upload)
    upload.seek(0)
    if not complete:
        if kind is not None and kind.mime == "application/pdf":
            what = _("its content is not a complete PDF document")
        elif kind is not None:
            what = _("its content is a .%(extension)s file") % {"extension": kind.extension}
        else:
            what = _("its content is not a PDF document")
        raise DomainError(
            _("%(name)s is not a PDF: %(what)s. Upload the invoice's PDF.")
            % {"name": os.path.basename(upload.name or ""), "what": what},
            field="pdf",
        )
