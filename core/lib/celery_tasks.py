"""The Celery task class of the project: a task works across customers (it takes ids and loads
its rows), so it runs with the customer scopes disabled (core/scopes.py)."""

from celery import Task
from django_scopes import scopes_disabled


class UnscopedTask(Task):
    def __call__(self, *args, **kwargs):
        with scopes_disabled():
            return super().__call__(*args, **kwargs)
