import threading

import pytest
from django.db import connection

from certflow.core.events.models import Event
from certflow.core.events.services import record_event, verify_chain


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    writers, per_writer = 12, 5
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n):
        try:
            start.wait()
            for i in range(per_writer):
                record_event(actor=None, action="concurrency.test", target_type="t", target_id=f"{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, writers * per_writer + 1))
    assert verify_chain().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_a_log_without_head_start_one_chain():
    # After a flush the head row is gone; the first writers race to create it (this once failed in CI).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock matters on PostgreSQL")
    from certflow.core.events.models import ChainHead

    ChainHead.objects.all().delete()
    writers = 12
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n):
        try:
            start.wait()
            record_event(actor=None, action="concurrency.test", target_type="t", target_id=n)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, writers + 1))
    assert verify_chain().ok
