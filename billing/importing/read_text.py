"""The uploaded bytes as text: not empty, not too large, not a binary file, UTF-8; then whether
the text is meant as JSON or as CSV."""

import os

import filetype
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.importing.formats import MAX_BYTES
from billing.importing.records import Problem

_EXCEL = gettext_lazy("an Excel workbook: save it as “CSV UTF-8” and upload that")
_BINARY_HINTS = {
    "xlsx": _EXCEL,
    "xls": _EXCEL,
    "zip": gettext_lazy("a ZIP archive"),
    "pdf": gettext_lazy("a PDF document"),
}


def read_text(content: bytes) -> tuple[str | None, list[Problem]]:
    if not content:
        return None, [Problem("", "", _("The file is empty."))]
    if len(content) > MAX_BYTES:
        return None, [
            Problem(
                "",
                "",
                _("The file is larger than %(limit)d MB: split the batch.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
            )
        ]
    kind = filetype.guess(content[:8192])
    if kind is not None or b"\x00" in content[:8192]:
        what = (
            _BINARY_HINTS.get(
                kind.extension, _("a .%(extension)s file") % {"extension": kind.extension}
            )
            if kind is not None
            else _("a binary file")
        )
        return None, [
            Problem("", "", _("This is %(what)s, not a CSV or JSON file.") % {"what": what})
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                str(line),
                "",
                _(
                    "The file is not UTF-8 text (first unreadable character on line %(line)d). "
                    "Save it as UTF-8, for example “CSV UTF-8” in Excel."
                )
                % {"line": line},
            )
        ]
    if not text.strip():
        return None, [Problem("", "", _("The file is empty."))]
    return text, []


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def csv_candidate(text: str, filename: str) -> bool:
    extension = os.path.splitext(filename or "")[1].lower()
    if extension in (".csv", ".txt", ""):
        return True
    return "customer_tax_id" in text.split("\n", 1)[0].lower()
