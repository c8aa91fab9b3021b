"""CSV exports prepared by a worker (issue 15): asking for one, building it, and the sweep that
fails the ones a dead worker left and removes old files.

The row is the state machine: pending -> running (claimed by one worker with a conditional
update) -> done / failed; done -> expired when its file is removed. The worker moves `updated_at`
with every progress step; a pending or running export whose `updated_at` is older than
CSV_EXPORT_STALE_AFTER is failed by the sweep, so its person sees it and can ask again. The file
is written to a temporary file first and saved to the default storage (object storage in
production) only when whole."""

import logging
import tempfile
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.exports import ExportKind, export_kind_get
from core.lib.csv_export import csv_chunks
from core.models import Customer, Export, User
from core.scopes import customer_scope
from core.selectors.exports import export_under_way

logger = logging.getLogger(__name__)

BUILD_TASK = "core.tasks.export_build"  # found by name: core.tasks imports this module
PROGRESS_EVERY = timedelta(seconds=1)  # at most one progress write a second


def _kind(key: str) -> ExportKind:
    kind = export_kind_get(key)
    if kind is None:
        raise DomainError(_("This kind of export does not exist."))
    return kind


def export_filters(kind: ExportKind, data) -> dict[str, str]:
    """The kind's filters from a query string or form (other names are dropped)."""
    return {name: str(data.get(name, ""))[:200] for name in kind.filters if data.get(name)}


def export_request(
    *,
    customer: Customer,
    user: User,
    kind: str,
    params: dict[str, str],
    now: datetime | None = None,
) -> Export:
    """Asks a worker for the export. The same export (kind and filters) already under way for
    this person is returned instead of a second one. Bad filters raise a DomainError."""
    export_kind = _kind(kind)
    params = export_filters(export_kind, params)
    now = now or timezone.now()
    with customer_scope(customer):
        under_way = export_under_way(customer, user, kind, params)
        if under_way is not None:
            return under_way
        total = export_kind.count(customer, params)
        with transaction.atomic():
            export = Export.objects.create(
                customer=customer,
                requested_by=user,
                kind=kind,
                params=params,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                time_zone=timezone.get_current_timezone_name(),
                filename=export_kind.filename(timezone.localtime(now)),
                rows_total=total,
                created_at=now,
                updated_at=now,
            )
            transaction.on_commit(lambda: export_enqueue(export.pk), robust=True)
    return export


def export_enqueue(export_id: int) -> None:
    try:
        current_app.tasks[BUILD_TASK].apply_async(
            (export_id,), retry=True, retry_policy={"max_retries": 0}
        )
    except Exception:  # noqa: BLE001 - any broker failure: the sweep fails it, the person asks again
        logger.warning("broker unavailable: export %s not queued", export_id)


def _claim(export_id: int) -> bool:
    now = timezone.now()
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.PENDING).update(
        status=Export.Status.RUNNING, updated_at=now
    )
    return claimed == 1


def export_build(*, export_id: int) -> str:
    """Writes the export's file; run by one worker only (the claim). Returns its final status."""
    if not _claim(export_id):
        return "not pending"
    export = Export.objects.select_related("customer").get(pk=export_id)
    written = 0
    try:
        kind = _kind(export.kind)
        with (
            customer_scope(export.customer),
            translation.override(export.language),
            timezone.override(export.time_zone),
            tempfile.TemporaryFile() as scratch,
        ):
            rows = kind.rows(export.customer, export.params, export.created_at)

            def counted():
                nonlocal written
                last = timezone.now()
                for row in rows:
                    yield row
                    written += 1
                    moment = timezone.now()
                    if moment - last >= PROGRESS_EVERY:
                        Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
                            rows_done=written, updated_at=moment
                        )
                        last = moment

            for piece in csv_chunks(kind.columns, counted()):
                scratch.write(piece.encode("utf-8"))
            scratch.seek(0)
            export.file.save(f"{export.reference}.csv", File(scratch), save=False)
    except Exception:
        logger.exception("export %s failed", export.reference)
        Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
            status=Export.Status.FAILED,
            error="build failed",
            updated_at=timezone.now(),
            finished_at=timezone.now(),
        )
        return Export.Status.FAILED
    finished = timezone.now()
    done = Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
        status=Export.Status.DONE,
        file=export.file.name,
        rows_done=written,
        rows_total=written,
        updated_at=finished,
        finished_at=finished,
    )
    if not done:  # the sweep gave up on it meanwhile: the person was told it failed
        export.file.delete(save=False)
        return Export.Status.FAILED
    return Export.Status.DONE


def exports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Fails the exports a dead worker left (no progress for CSV_EXPORT_STALE_AFTER seconds),
    and removes the files older than CSV_EXPORT_KEEP_HOURS (the row stays, as expired)."""
    now = now or timezone.now()
    stale = Export.objects.filter(
        status__in=Export.ACTIVE_STATUSES,
        updated_at__lt=now - timedelta(seconds=settings.CSV_EXPORT_STALE_AFTER),
    ).update(status=Export.Status.FAILED, error="stopped", finished_at=now, updated_at=now)
    expired = 0
    old = Export.objects.filter(
        status=Export.Status.DONE,
        finished_at__lt=now - timedelta(hours=settings.CSV_EXPORT_KEEP_HOURS),
    )
    for export in old:
        if export.file:
            export.file.delete(save=False)
        expired += Export.objects.filter(pk=export.pk, status=Export.Status.DONE).update(
            status=Export.Status.EXPIRED, file="", updated_at=now
        )
    return {"stale": stale, "expired": expired}
