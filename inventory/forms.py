"""Forms of the services inventory: the list's filters, the expansion request, the staff import."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.lib.forms import ListFilterForm
from core.models import Country, Customer, ProductLine, Service
from core.selectors.services import SERVICE_SORTS, service_choices_for_customer
from inventory.importing import services_parse
from inventory.models import ExpansionRequest

_ALL = [("", _("All"))]
SORT_CHOICES = [(name, name) for name in SERVICE_SORTS] + [
    (f"-{name}", f"-{name}") for name in SERVICE_SORTS
]


class ServiceFilterForm(ListFilterForm):
    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Service id, site, address, capacity")}),
    )
    product_line = forms.ChoiceField(
        label=_("Product line"), choices=_ALL + ProductLine.choices, required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=_ALL + Country.choices, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_ALL + Service.Status.choices, required=False
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "product_line": data["product_line"],
            "country": data["country"],
            "status": data["status"],
            "sort": data["sort"] or "service_id",
        }


class ExpansionRequestForm(forms.Form):
    """What the customer wants more of (R-POR-2). A capacity change needs the service; a new
    site needs where it is."""

    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="service_id",
        empty_label=_("None: a new site or product"),
    )
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=ExpansionRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    product_line = forms.ChoiceField(
        label=_("Product line"),
        choices=[("", _("Not sure / the same"))] + ProductLine.choices,
        required=False,
    )
    capacity = forms.CharField(
        label=_("Bandwidth or capacity wanted"),
        max_length=60,
        required=False,
        help_text=_("For example 500 Mbps, 60 SIP channels or one more rack."),
    )
    site_name = forms.CharField(label=_("Site name"), max_length=120, required=False)
    site_address = forms.CharField(label=_("Site address"), max_length=250, required=False)
    country = forms.ChoiceField(
        label=_("Country"), choices=[("", "—"), *Country.choices], required=False
    )
    wanted_by = forms.DateField(
        label=_("Wanted by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: the date you would like it in service."),
    )
    description = forms.CharField(
        label=_("Describe what you need"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Why, for when, and anything the account manager should know to prepare a quote."
        ),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        service_field = self.fields["service"]
        assert isinstance(service_field, forms.ModelChoiceField)
        service_field.queryset = service_choices_for_customer(customer)
        service_field.label_from_instance = lambda service: (  # type: ignore[method-assign,assignment]  # documented override
            f"{service.service_id} · {service.get_product_line_display()} · {service.site_name}"
        )

    def clean_wanted_by(self):
        wanted_by = self.cleaned_data["wanted_by"]
        if wanted_by and wanted_by < timezone.localdate():
            raise forms.ValidationError(_("Choose a date from today on."))
        return wanted_by

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ExpansionRequest.Kind.CAPACITY:
            if not data.get("service"):
                self.add_error("service", _("Choose the service that needs more capacity."))
            if not data.get("capacity"):
                self.add_error("capacity", _("Say how much bandwidth or capacity you need."))
        if kind == ExpansionRequest.Kind.NEW_SITE:
            for name in ("site_address", "country"):
                if not data.get(name):
                    self.add_error(name, _("A new site needs its address and country."))
        if kind == ExpansionRequest.Kind.NEW_PRODUCT and not data.get("product_line"):
            self.add_error("product_line", _("Choose the product you are interested in."))
        return data


class ServiceImportForm(forms.Form):
    """Staff load a customer's services from the export's CSV format (all rows or none)."""

    MAX_BYTES = 2 * 1024 * 1024

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.all())
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("The columns of the services export; UTF-8; at most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        rows, errors = services_parse(upload.read())
        self.rows, self.row_errors = rows, errors
        return upload
