"""`make run`: the web server and a Celery worker with beat, stopped together by Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from portal.celery import filesystem_broker_folders
from portal.management.commands.seed_demo import demo_sign_ins


class Command(BaseCommand):
    help = "Serve the portal on 127.0.0.1:PORT with a Celery worker and beat (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, port: str, **options):
        translation.deactivate_all()
        filesystem_broker_folders()
        python = sys.executable
        env = {
            **os.environ,
            "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", f"http://127.0.0.1:{port}"),
        }
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                python,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
            env=env,
        )
        web = subprocess.Popen([python, "manage.py", "runserver", f"127.0.0.1:{port}"], env=env)  # noqa: S603
        self.stdout.write(
            f"\nPortal: http://127.0.0.1:{port}/   Staff: http://127.0.0.1:{port}/admin/\n"
        )
        self.stdout.write(
            demo_sign_ins() + "\nE-mails are written to var/mail/. Ctrl-C stops everything.\n"
        )
        children = [web, worker]
        # `kill` (SIGTERM) stops everything like Ctrl-C does, instead of orphaning the children.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
