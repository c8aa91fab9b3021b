"""What a browser posts back from a Django admin page: the form as GET rendered it."""

from django import forms


def form_data(form) -> dict:
    """The data a browser would post for an unbound form rendered with its initial values."""
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)
    return data


def change_form_data(response) -> dict:
    """The admin change form as GET shows it: the object's editable fields and every inline
    formset (read-only fields are not in the form, so a browser does not post them)."""
    assert response.status_code == 200, response.status_code
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data
