"""The stages of a certificate's life as a person walks them through the pages, in the standard's order.

Each stage is a module of plain functions taking the ``World`` and the ``Case`` they act on and
leaving the case in the state the next stage starts from:

- ``early``: register, apply with uploads, supplement, acceptance, document review and its
  nonconformity loop (6 申请受理, 文件审核);
- ``onsite``: audit planning, date agreement, the notice, conduct, closing; the satisfaction survey
  through customer links and by phone (现场审核, 满意度调查);
- ``decision``: the committee's decision, the certificate download, public verification, surveillance
  (认证决定, 证书, 持续监督).

Scenarios (``e2e/test_*.py``) compose them. A stage asserts each expected state before it moves on,
and takes a screenshot of every step through ``world.steps.shot``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from e2e.support import Clock, Person, Server, Steps


@dataclass
class World:
    server: Server
    people: Callable[..., Person]  # people("clerk@olis-cert.example") → signed-in Person
    steps: Steps

    @property
    def clock(self) -> Clock:
        return self.server.clock


@dataclass
class Case:
    """One enterprise's certification, filled in as the stages go."""

    enterprise_name: str
    uscc: str
    owner_email: str
    owner_password: str
    contact_phone: str = "13800138000"
    application_id: int | None = None
    onsite_audit_id: int | None = None
    survey_id: int | None = None
    decision_id: int | None = None
    certificate_number: str | None = None
    notes: dict = field(default_factory=dict)  # anything a later stage needs from an earlier one
