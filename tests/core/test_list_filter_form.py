"""ListFilterForm (core.lib.forms): the filters of a list page render their plain selects with
the options inline, the same HTML as Django's Select, less the whitespace (issue 15)."""

import re

from django import forms

from core.lib.forms import ListFilterForm, ListFilterSelect


class _Filters(ListFilterForm):
    status = forms.ChoiceField(
        required=False, choices=[("", "All"), ("open", "Open & new"), ("closed", "<Closed>")]
    )
    kind = forms.ChoiceField(required=False, widget=forms.RadioSelect, choices=[("a", "A")])
    person = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Anyone"), ("ana@acme.test", "Ana")]


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_plain_selects_become_inline_and_other_widgets_stay():
    form = _Filters({"status": "open", "person": "ana@acme.test"})

    assert type(form.fields["status"].widget) is ListFilterSelect
    assert type(form.fields["person"].widget) is ListFilterSelect
    assert type(form.fields["kind"].widget) is forms.RadioSelect


def test_the_html_is_djangos_select_with_the_choice_kept_and_the_labels_escaped():
    form = _Filters({"status": "open", "person": "ana@acme.test"})
    plain = forms.Select(choices=form.fields["status"].choices)

    html = str(form["status"])

    assert _squeezed(html) == _squeezed(plain.render("status", "open", attrs={"id": "id_status"}))
    assert '<option value="open" selected>Open &amp; new</option>' in html
    assert "&lt;Closed&gt;" in html
    assert '<option value="ana@acme.test" selected>Ana</option>' in str(form["person"])
