from django.db import models
from django.utils import timezone

from certflow.core.schemes.entities import Scheme
from certflow.core.schemes.loader import scheme_from_content


class SchemeVersion(models.Model):
    """A scheme version as it was when first used: later records point here to keep their rules.

    `sha256` is of the file's bytes; `content` is the validated document, so the rules a record
    was made under can be rebuilt even after the file is gone from the shipped folder.
    """

    code = models.CharField("规范编号 / code", max_length=64)
    version = models.CharField("版本/版次 / version", max_length=16)
    title = models.CharField("名称 / title", max_length=200)
    effective_date = models.DateField("实施日期 / effective date")
    sha256 = models.CharField("文件 SHA-256 / file SHA-256", max_length=64)
    content = models.JSONField("内容 / content")
    source_name = models.CharField("文件名 / file name", max_length=255, blank=True)
    loaded_at = models.DateTimeField("记录时间 / recorded at", default=timezone.now)

    class Meta:
        verbose_name = "认证规范版本 / scheme version"
        verbose_name_plural = "认证规范版本 / scheme versions"
        ordering = ["code", "effective_date", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="schemes_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def as_scheme(self) -> Scheme:
        return scheme_from_content(self.content, sha256=self.sha256, origin=f"database: {self}")
