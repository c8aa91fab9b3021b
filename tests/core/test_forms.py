"""The form helpers every area uses: a broken rule on the form, several files in one input."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import DomainError
from core.lib.forms import MAX_FILES, LongTextField, MultipleFileField, add_domain_error

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _Form(forms.Form):
    email = forms.CharField()
    attachments = MultipleFileField()
    body = LongTextField(required=False, max_length=10)


def test_a_domain_error_naming_a_field_of_the_form_goes_on_that_field():
    form = _Form({"email": "a@example.com"})
    assert form.is_valid()
    add_domain_error(form, DomainError("Already invited.", field="email"))
    assert form.errors == {"email": ["Already invited."]}


def test_a_domain_error_about_the_whole_request_goes_on_top_of_the_form():
    form = _Form({"email": "a@example.com"})
    assert form.is_valid()
    add_domain_error(form, DomainError("Too many open changes.", field="services"))
    add_domain_error(form, DomainError("Closed."))
    assert form.non_field_errors() == ["Too many open changes.", "Closed."]


def test_several_files_are_each_checked_by_their_content(settings):
    good = SimpleUploadedFile("informe.pdf", PDF)
    bad = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    form = _Form({"email": "a@example.com"}, {"attachments": [good, bad]})
    with translation.override("en"):
        assert not form.is_valid()
        assert "setup.pdf is not a file type we accept" in form.errors["attachments"][0]
    form = _Form({"email": "a@example.com"}, {"attachments": [good]})
    assert form.is_valid()
    assert form.cleaned_data["attachments"] == [good]
    field = MultipleFileField()
    with pytest.raises(forms.ValidationError):
        field.clean([SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(MAX_FILES + 1)])


def test_a_long_text_counts_line_breaks_as_one_character():
    assert _Form({"email": "a", "body": "abcd\r\nefgh"}).is_valid()  # 9 characters once LF
    form = _Form({"email": "a", "body": "abcdefghijk"})
    with translation.override("en"):
        assert not form.is_valid()
        assert "This text has 11 characters, more than the 10" in form.errors["body"][0]
