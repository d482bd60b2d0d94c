"""With a broker configured, tasks run on a real Celery worker (Redis), against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection

from accounts.audit import audit_record
from accounts.tasks import audit_verify_task
from redplypp.celery import app as celery_app
from tests.services import service_missing

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def celery_worker():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        service_missing(f"Redis is not reachable at {REDIS_URL}")

    queue = f"test-{uuid.uuid4().hex[:8]}"
    test_database = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{test_database}").geturl(),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "redplypp",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            f"{queue}@%h",
        ],
        env=env,
    )
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    _forget_backend()
    try:
        deadline = time.monotonic() + 90  # a busy machine (the suite runs on both cores) starts it slowly
        while not celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start")
        yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        celery_app.conf.update(saved)
        _forget_backend()


def _forget_backend() -> None:
    """The app keeps the result backend it first built: tasks run in process earlier in
    this test process (sealing, counting) built one for "no backend"."""
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


def test_a_real_worker_verifies_the_audit_chain(celery_worker):
    entries = [audit_record(actor=None, action="test.act", subject=f"test:{n}") for n in range(3)]
    result = audit_verify_task.apply_async(queue=celery_worker).get(timeout=30)
    assert result == {"ok": True, "checked": 3, "broken_at": None}

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only")
        cursor.execute("UPDATE accounts_auditentry SET subject = 'forged' WHERE id = %s", [entries[2].pk])
        cursor.execute("ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only")
    result = audit_verify_task.apply_async(queue=celery_worker).get(timeout=30)
    assert result == {"ok": False, "checked": 2, "broken_at": entries[2].pk}


def test_without_a_broker_tasks_run_in_process(settings):
    # The embedded default: no broker configured means eager execution.
    assert celery_app.conf.task_always_eager is (not os.environ.get("CELERY_BROKER_URL"))


def test_two_overlapping_schedule_runs_on_a_real_worker_take_each_step_once(celery_worker):
    """The beat task may fire while a previous run is still going (a slow run, two
    beats after a restart): each cycle's steps are still recorded exactly once."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import AuditEntry
    from cycles.models import CycleStep
    from cycles.tasks import cycles_advance_all_task
    from nodes.models import Municipality
    from nodes.services import divipola_load
    from tests.cycles.factories import make_cycle

    if not Municipality.objects.exists():  # a transactional test before this one emptied the table
        divipola_load()
    cycle = make_cycle(published=True, start=timezone.localdate() - timedelta(days=400))  # every phase over

    runs = [cycles_advance_all_task.apply_async(queue=celery_worker) for _ in range(2)]
    results = [run.get(timeout=30) for run in runs]

    steps = sorted(CycleStep.objects.filter(cycle=cycle).values_list("step", flat=True))
    assert steps == ["close_proposals", "close_voting", "count", "publish_results"]
    assert sorted(step for result in results for step in result.get(str(cycle.pk), [])) == steps
    assert AuditEntry.objects.filter(action__startswith="cycles.step_").count() == 4
    assert cycles_advance_all_task.apply_async(queue=celery_worker).get(timeout=30) == {}
