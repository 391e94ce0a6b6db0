from django.db import IntegrityError, transaction

from certflow.core.models import Counter


def next_value(name: str) -> int:
    """The next number of sequence `name`. Locks the counter row, so concurrent callers queue up
    and each gets its own number; rolled back with the caller's transaction (no gaps)."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(name=name).first()
        if counter is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(name=name, value=0)
            except IntegrityError:
                pass  # another transaction created it first; lock theirs below
            counter = Counter.objects.select_for_update().get(name=name)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value
