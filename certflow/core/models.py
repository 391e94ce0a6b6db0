from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A named sequence (application references, certificate numbers): gap-free and never reused."""

    name = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class StoredFile(models.Model):
    """An inspected upload kept under a generated name (decisions U1–U5): what every stage's files share.
    Never replaced in place; a new version is a new row."""

    original_name = models.CharField(_("文件名"), max_length=200)
    storage_name = models.CharField(max_length=300)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
