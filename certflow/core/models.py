from django.db import models


class Counter(models.Model):
    """A named sequence (application references, certificate numbers): gap-free and never reused."""

    name = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
