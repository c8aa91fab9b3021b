"""Form helpers every area's views and admin use: a broken rule shown on the form, several
files in one input, a free-text box with a limit people can read, a list filter's date range and
the customer's reply (a message, files, or both)."""

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.lib.attachments import ALLOWED_LABEL, attachment_check

MAX_FILES = 10
# What a customer may type or paste into one box: a long message, or a few hundred lines of log.
# Even at 4 bytes a character it stays far below DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), so a
# longer paste gets this field's error, with the text kept, instead of the 413 page.
TEXT_MAX_CHARS = 100_000


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """A broken rule on the form: on the field it names when the form has that field, else at
    the top of the form (a rule about the whole request)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class ListFilterSelect(forms.Select):
    """The select of a list's filters: plain options, rendered without an include each (a
    customer's list page shows several, with every service and person of the customer)."""

    template_name = "core/forms/select.html"


class ListFilterForm(forms.Form):
    """A list page's filters: its plain selects render as ListFilterSelect."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                widget = ListFilterSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                widget.is_required = field.widget.is_required
                field.widget = widget


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): each is cleaned on its own,
    then checked by its content (core.lib.attachments, R-TT-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(MultipleFileField, self).clean(item, initial) for item in files]
        files = [item for item in files if item]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files at a time.") % {"count": MAX_FILES}
            )
        errors = []
        for upload in files:
            try:
                attachment_check(upload)
            except DomainError as error:
                errors.append(error.message)
        if errors:
            raise forms.ValidationError(errors)
        return files


def attachments_field() -> MultipleFileField:
    """The customer's attachments input, its help text saying the size and the kinds taken."""
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Up to %(size)d MB each. Accepted: %(types)s.")
        % {"size": settings.TICKET_ATTACHMENT_MAX_MB, "types": ALLOWED_LABEL},
    )


class LongTextField(forms.CharField):
    """A free-text box (a reply, a description) of at most TEXT_MAX_CHARS characters, counted
    as the browser's maxlength counts them: a line break is one character, though the browser
    sends it as CR LF, so line breaks are stored as LF. The error says what to do with a longer
    log; portal.js shows data-limit-note when a paste is cut at the limit."""

    def __init__(self, *, rows: int = 4, max_length: int = TEXT_MAX_CHARS, **kwargs):
        note = _(
            "The text reached the most a message can have: what you pasted beyond it was not "
            "kept. Attach long logs as a .txt or .log file instead."
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows, "data-limit-note": note}))
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value):
        super().validate(value)
        if len(value) > self.max_length:
            raise forms.ValidationError(
                _(
                    "This text has %(count)s characters, more than the %(limit)s a message can "
                    "have. Attach long logs as a .txt or .log file instead."
                )
                % {
                    "count": number_format(len(value), force_grouping=True),
                    "limit": number_format(self.max_length, force_grouping=True),
                },
                code="max_length",
            )


def date_range_check(cleaned: dict, start: str, end: str, message=None) -> None:
    """A list filter's range: its first date (field `start`) may not come after its last;
    `message` says so in the form's words (by default, in dates')."""
    first, last = cleaned.get(start), cleaned.get(end)
    if first and last and first > last:
        raise forms.ValidationError(message or _("The start date is after the end date."))


class ReplyForm(forms.Form):
    """The customer's reply on a request (a ticket, a billing request): a message, files, or
    both."""

    body = LongTextField(label=_("Your message"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()

    def clean(self):
        cleaned = super().clean()
        empty = not (cleaned.get("body") or "").strip() and not cleaned.get("attachments")
        if empty and not self.has_error("attachments"):
            self.add_error("body", _("Write a message or attach a file."))
        return cleaned
