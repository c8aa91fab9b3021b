# The image of the web, worker and beat services (docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

RUN useradd --system --create-home --uid 10001 --user-group portal
WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install . && pip uninstall --yes lumen-portal

COPY . .
# Editable, so that templates/, static/ and locale/ are found beside the code.
RUN pip install --no-deps --editable . \
    && SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p var && chown portal:portal var

USER portal
EXPOSE 8000
# The web container is healthy when /healthz says so (database, broker, beat); the worker and beat
# containers override it in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "portal/gunicorn.conf.py", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
