# The image of the web, worker and beat services (docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

RUN useradd --system --create-home --uid 10001 --user-group portal
WORKDIR /app

# The locked wheels first, each checked against its hash, in their own layer: rebuilt only when
# the lock changes. The project itself is not installed: it runs from /app (PYTHONPATH), where
# templates/, static/ and locale/ sit beside the code.
COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --require-hashes -r requirements/runtime.lock

COPY . .
ENV PYTHONPATH=/app
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p var && chown portal:portal var

USER portal
EXPOSE 8000
# The web container is healthy when /healthz says so (database, broker, beat); the worker and beat
# containers override it in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
