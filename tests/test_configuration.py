"""Settings load bare for tools; serving processes refuse to start without their configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from redplypp.configuration import missing_configuration

ROOT = Path(__file__).resolve().parent.parent
BARE_ENV = {"PATH": os.environ["PATH"], "HOME": str(Path.home())}


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_test_run_is_fully_configured():
    assert missing_configuration() == []


def test_makemigrations_check_works_without_secrets_or_database():
    result = run("manage.py", "makemigrations", "--check", "--dry-run", env=BARE_ENV)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_web_process_refuses_to_start_without_its_configuration():
    result = run("-c", "import redplypp.wsgi", env=BARE_ENV)
    assert result.returncode != 0
    assert "Not set: DATABASE_URL" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "IDENTITY_HASH_KEY" in result.stderr


@pytest.mark.parametrize("missing", ["IDENTITY_HASH_KEY", "DJANGO_SECRET_KEY"])
def test_deploy_check_fails_without_a_secret(missing):
    env = {
        **BARE_ENV,
        "DATABASE_URL": "postgres://localhost/unused",
        "DJANGO_SECRET_KEY": "x" * 60,
        "IDENTITY_HASH_KEY": "y" * 40,
    }
    del env[missing]
    result = run("manage.py", "check", "--deploy", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_the_web_process_freezes_what_it_loaded_so_full_collections_stay_short():
    """Under load a full garbage collection walked every object Django and the apps had
    loaded (~0.1 s with the GIL held, a pause for every request of the process); the
    WSGI module loads the URLs, catalogues and templates and freezes them."""
    script = (
        "import gc, time, redplypp.wsgi\n"
        "started = time.perf_counter(); gc.collect(); took = time.perf_counter() - started\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), took)\n"
    )
    result = run("-c", script, env={**os.environ, "DJANGO_SETTINGS_MODULE": "redplypp.settings"})
    assert result.returncode == 0, result.stderr
    frozen, walked, _seconds = result.stdout.split()
    assert int(frozen) > 50_000  # Django, the apps, both catalogues, the views
    assert int(walked) < int(frozen) // 10  # what a full collection still walks


def test_gunicorn_reads_the_shipped_settings_and_the_web_variables():
    """``gunicorn redplypp.wsgi`` started at the repository's root (docker-compose's web)
    takes gunicorn.conf.py: threaded workers, no keep-alive, connections capped at twice
    the threads, each overridable from the environment."""
    env = {**os.environ, "WEB_WORKERS": "3", "WEB_THREADS": "5"}
    result = run("-m", "gunicorn", "--print-config", "redplypp.wsgi:application", env=env)
    assert result.returncode == 0, result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines())
    config = {name.strip(): value.strip() for name, _, value in lines}
    assert (config["workers"], config["threads"], config["worker_connections"]) == ("3", "5", "10")
    assert (config["worker_class"], config["keepalive"]) == ("gthread", "0")
