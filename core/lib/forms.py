"""Form helpers every area's views and admin use: a broken rule shown on the form, several
files in one input, a free-text box with a limit people can read, a list filter's date range and
the customer's reply (a message, files, or both)."""

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
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


def _attributes(attrs: dict) -> str:
    """The attributes of a tag as Django's attrs.html writes them, in their order: True is the
    name alone, False leaves the attribute out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListFilterSelect(forms.Select):
    """The select of a list's filters, written in Python: a list page renders several on every
    view, one with every service and person of the customer, and Django's templates (one include
    per option, then its attributes) cost more than the rest of the form. The HTML is Django's
    Select's (tests/core/test_list_filter_form.py compares them)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        has_selected = False
        parts = [
            f'<select name="{escape(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>'
        ]
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, list | tuple)
            if grouped:
                parts.append(f'<optgroup label="{escape(group_value)}">')
            choices = group_label if grouped else [(group_value, group_label)]
            for option_value, option_label in choices:
                option_value = "" if option_value is None else str(option_value)
                selected = not has_selected and option_value in chosen
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                    f"{conditional_escape(option_label)}</option>"
                )
            if grouped:
                parts.append("</optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class _ListFilterInput:
    """A list filter's text, search or date box, written in Python as Django's input.html
    writes it (without its include of the attributes)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(value)}"'
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="{escape(self.input_type)}" name="{escape(name)}"{shown}{attributes}>'
        )


_LIST_FILTER_INPUTS = {
    widget: type(
        f"ListFilter{widget.__name__}", (_ListFilterInput, widget), {"__module__": __name__}
    )
    for widget in (
        forms.TextInput,
        forms.SearchInput,
        forms.DateInput,
        forms.NumberInput,
        forms.EmailInput,
    )
}


class ListFilterForm(forms.Form):
    """A list page's filters, rendered on every view of the list: its plain selects and text,
    search, date, number and e-mail boxes render in Python (ListFilterSelect, _ListFilterInput),
    the same HTML as Django's widget templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget_type = type(field.widget)
            # Each form holds its own copy of its fields' widgets: changing one's class
            # changes this form's only, and keeps its attributes, choices and format.
            if widget_type is forms.Select:
                field.widget.__class__ = ListFilterSelect
            elif widget_type in _LIST_FILTER_INPUTS:
                field.widget.__class__ = _LIST_FILTER_INPUTS[widget_type]


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
