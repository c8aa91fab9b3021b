"""The web benchmark (`make bench-web`, portal/management/commands/bench_web.py): its settings,
the baseline page it compares every portal page with, and the WSGI application that serves both.
Nothing here is mounted by the portal's own settings."""
