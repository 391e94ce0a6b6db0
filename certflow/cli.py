"""The `certflow` command: Django's management entry point with friendlier edges.

`certflow verify-log` and `certflow verify_log` are the same command: hyphens read better on a
command line, while Django command modules need underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "certflow"

    from certflow.core.env import ConfigurationError

    try:
        from django.core.management import execute_from_command_line
        from django.db.utils import OperationalError

        execute_from_command_line(argv)
    except ConfigurationError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(
            "数据库不可用 / the database is unreachable: "
            f"{exc}\nCheck DATABASE_URL and that the database server is running.",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
