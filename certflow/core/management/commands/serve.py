"""`certflow serve`: the application under gunicorn (a real WSGI server, not runserver)."""

import multiprocessing

from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from config.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve certflow with gunicorn. 以 gunicorn 运行 certflow。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=min(4, multiprocessing.cpu_count() * 2))
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, **options):
        if options["workers"] < 1 or options["threads"] < 1:
            self.stderr.write("workers and threads must be at least 1")
            return
        self.stdout.write(f"certflow serving on http://{options['bind']}/ (gunicorn, {options['workers']} workers)")
        _Gunicorn(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "timeout": options["timeout"],
                "accesslog": "-",
                "errorlog": "-",
                "worker_class": "gthread",
                # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): a second
                # server on the host (a demo, a test run, a benchmark) takes it over, and a "shutdown" sent to it
                # stops whichever server bound it last. certflow is run by process signals, never through it.
                "control_socket_disable": True,
            }
        ).run()
