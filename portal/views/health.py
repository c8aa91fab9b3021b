from django.http import JsonResponse

from portal.health import health_status


def healthz(request):
    status = health_status()
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)
