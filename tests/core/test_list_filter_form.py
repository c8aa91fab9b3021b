"""ListFilterForm (core.lib.forms): the filters of a list page render their plain selects and
their text, search, date, number and e-mail boxes in Python, the same HTML as Django's widget
templates, less the whitespace (issue 15)."""

import re

import pytest
from django import forms

from core.lib.forms import ListFilterForm, ListFilterSelect


class _Filters(ListFilterForm):
    status = forms.ChoiceField(
        required=False, choices=[("", "All"), ("open", "Open & new"), ("closed", "<Closed>")]
    )
    q = forms.CharField(required=False, max_length=100)
    day = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.IntegerField(required=True, min_value=1)
    email = forms.EmailField(required=False)
    region = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Anywhere"),
            ("South", [("ar", "Argentina"), ("cl", "Chile")]),
            ("North", [("mx", "México"), ("ar", "Argentina again")]),
        ],
    )
    kind = forms.ChoiceField(required=False, widget=forms.RadioSelect, choices=[("a", "A")])
    person = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone"), ("ana@acme.test", "Ana")]
        self.fields["q"].widget.attrs.update(
            {"placeholder": 'Number, "subject" & <id>', "autofocus": True, "spellcheck": False}
        )
        self.fields["q"].widget.input_type = "search"


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_plain_selects_become_inline_and_other_widgets_stay():
    form = _Filters({"status": "open", "person": "ana@acme.test"})

    assert type(form.fields["status"].widget) is ListFilterSelect
    assert type(form.fields["person"].widget) is ListFilterSelect
    assert type(form.fields["kind"].widget) is forms.RadioSelect
    assert isinstance(form.fields["day"].widget, forms.DateInput)
    assert form.fields["q"].widget is not _Filters.base_fields["q"].widget  # this form's own


def _django_html(form, name: str) -> str:
    """What Django's own templates make of the field (the same widget under its own class)."""
    widget = form.fields[name].widget
    ours = type(widget)
    widget.__class__ = next(cls for cls in ours.__mro__ if cls.__module__.startswith("django."))
    try:
        return str(form[name])
    finally:
        widget.__class__ = ours


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": 'a "quoted" <b>&amp;', "day": "2026-03-01", "amount": "7", "email": "a@b.test"},
        {"q": "x", "day": "not a date", "amount": "-1", "region": "ar", "status": "closed"},
    ],
)
@pytest.mark.parametrize("name", ["q", "day", "amount", "email", "region", "status", "person"])
def test_every_field_renders_as_djangos_templates_render_it(data, name):
    form = _Filters(data or None)
    ours = str(form[name])

    assert _squeezed(ours) == _squeezed(_django_html(form, name))


def test_the_html_is_djangos_select_with_the_choice_kept_and_the_labels_escaped():
    form = _Filters({"status": "open", "person": "ana@acme.test"})
    plain = forms.Select(choices=form.fields["status"].choices)

    html = str(form["status"])

    assert _squeezed(html) == _squeezed(plain.render("status", "open", attrs={"id": "id_status"}))
    assert '<option value="open" selected>Open &amp; new</option>' in html
    assert "&lt;Closed&gt;" in html
    assert '<option value="ana@acme.test" selected>Ana</option>' in str(form["person"])
