from django.urls import path

from portal.bench import baseline
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path(baseline.PATH.strip("/") + "/", baseline.baseline, name="bench_baseline"),
    *portal_urlpatterns,
]
