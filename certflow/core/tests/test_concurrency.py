# ruff: noqa: F401, F811 — the decision tests' fixtures are imported by name and then requested as arguments
"""Issue 10 item 5: twenty people press the same button at the same moment.

For each of the five contested steps (accept an application, conclude a certification decision, allocate
certificate numbers, answer a survey link, verify a correction) THREADS threads start together behind a
barrier, each on its own database connection, and the test checks that exactly one of them had an effect
(one state change, one event of that action), every other one was refused with a RuleViolation (never an
IntegrityError, a deadlock or a 500), no number was given twice and the event chain still verifies.
The same is done through the page and the API with one signed-in client per thread.

PostgreSQL only: SQLite serialises writers for the whole file, so a race there proves nothing about the
row locks the services take.
"""

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from certflow.accounts.models import User
from certflow.applications import services as application_services
from certflow.applications.domain import ApplicationStatus
from certflow.applications.models import Application
from certflow.applications.tests.factories import submitted as submitted_application
from certflow.certificates import services as certificate_services
from certflow.certificates import signing
from certflow.certificates.models import Certificate
from certflow.core.events.models import Event
from certflow.core.events.services import verify_chain
from certflow.core.rules import RuleViolation
from certflow.core.schemes.services import scheme_version_for
from certflow.core.testing.factories import EnterpriseFactory
from certflow.decisions import services as decision_services
from certflow.decisions.domain import DecisionStatus, Vote
from certflow.decisions.models import Decision
from certflow.decisions.tests.conftest import (
    fresh_calendar,
    members,
    onsite,
    opened,
    passed,
    ready,
    registered_lead,
    registered_member,
    seated,
)
from certflow.decisions.tests.helpers import DECISION_DAY
from certflow.reviews import services as review_services
from certflow.reviews.domain import ActionDecision, NonconformityState
from certflow.reviews.models import CorrectiveAction, Nonconformity
from certflow.reviews.tests.helpers import TODAY as REVIEW_DAY
from certflow.reviews.tests.helpers import accepted_application, record_all
from certflow.surveys.models import Invitation, Response
from certflow.surveys.services.answers import response_submit
from certflow.surveys.tests.helpers import ALL_FIVE, open_survey, send_links

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent connections and row locks (PostgreSQL); SQLite serialises every writer",
    ),
]


@dataclass
class Race:
    """What THREADS simultaneous attempts gave: the winners' results, the refusals' codes, anything else."""

    name: str
    wins: list = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    seconds: float = 0.0

    def figure(self) -> str:
        threads = len(self.wins) + len(self.refusals) + len(self.errors)
        if self.wins and all(hasattr(w, "status_code") for w in self.wins):
            codes = Counter(w.status_code for w in self.wins)
            outcome = " ".join(f"HTTP{code}={count}" for code, count in sorted(codes.items()))
        else:
            outcome = f"effects={len(self.wins)} refused={len(self.refusals)}"
        return f"{self.name}: threads={threads} {outcome} errors={len(self.errors)} time={self.seconds:.2f}s"


def race(name: str, prepare, act, n: int = THREADS) -> Race:
    """Run act(prepare(i)) in n threads released together. `prepare` runs in the thread before the
    barrier (so each thread opens its own connection and loads its own copies of the rows, as separate
    requests would), `act` after it."""
    result = Race(name)
    lock = threading.Lock()
    barrier = threading.Barrier(n + 1)  # + the main thread, which starts the clock when all are ready
    done = threading.Barrier(n + 1)

    def work(i):
        try:
            prepared, failed = prepare(i), None
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread, asserted below
            prepared, failed = None, exc
        barrier.wait()
        try:
            if failed is not None:
                raise failed
            value = act(prepared)
        except RuleViolation as exc:
            with lock:
                result.refusals.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread, asserted below
            with lock:
                result.errors.append(exc)
        else:
            with lock:
                result.wins.append(value)
        finally:
            connections.close_all()
            # A broken barrier means the main thread gave up waiting; it fails the test.
            with contextlib.suppress(threading.BrokenBarrierError):
                done.wait()

    threads = [threading.Thread(target=work, args=(i,), name=f"{name}-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    try:
        done.wait(timeout=60)
    except threading.BrokenBarrierError:
        pytest.fail(f"{name}: not every thread finished within 60 s (deadlock?)")
    result.seconds = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), f"{name}: a thread is still waiting (deadlock?)"
    print(result.figure())  # noqa: T201 - the figure for docs/assurance.md (run with -s to see it)
    return result


def events_of(action: str, target) -> int:
    return Event.objects.filter(action=action, target_type=target._meta.label_lower, target_id=str(target.pk)).count()


def assert_one_effect(result: Race, refusal_code: str) -> None:
    assert result.errors == [], [repr(e) for e in result.errors]
    assert len(result.wins) == 1, result.figure()
    assert result.refusals == [refusal_code] * (THREADS - 1), result.refusals
    assert verify_chain().ok


def fresh_user(pk: int) -> User:
    return User.objects.get(pk=pk)


@pytest.fixture(autouse=True)
def signing_key(settings):
    # Granting issues a signed certificate; a fresh key per test keeps var/ untouched.
    settings.CERTFLOW_CERTIFICATE_SIGNING_KEY = signing.new_seed()
    settings.CERTFLOW_CERTIFICATE_RETIRED_PUBLIC_KEYS = []


@pytest.fixture(autouse=True)
def clear_cache():
    # Rate-limit counters and second-factor state live in the cache, which the database flush does not clear.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey_settings(settings):
    settings.CERTFLOW_SURVEY_IMPORT_MODE = "inline"
    settings.CERTFLOW_SURVEY_SENDERS = {
        "email": "certflow.surveys.senders.EmailSender",
        "sms": "certflow.surveys.senders.MemorySmsSender",
    }


# --- 1. accept an application ----------------------------------------------------------------------------


def test_twenty_clerks_accepting_one_application_accept_it_once(enterprise_a, user_a, clerk):
    application = submitted_application(enterprise_a, user_a)
    before = Event.objects.count()

    result = race(
        "accept application (service)",
        lambda i: (fresh_user(clerk.pk), Application.objects.get(pk=application.pk)),
        lambda p: application_services.application_accept(by=p[0], application=p[1]).status,
    )

    assert_one_effect(result, "wrong_state")
    assert result.wins == [ApplicationStatus.ACCEPTED]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.decided_by_id == clerk.pk
    assert events_of("application.accept", application) == 1
    assert Event.objects.count() == before + 1


def test_twenty_accept_posts_through_the_page_give_one_success_and_no_server_error(enterprise_a, user_a, clerk):
    application = submitted_application(enterprise_a, user_a)
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(clerk)
        clients.append(client)

    result = race(
        "accept application (page)",
        lambda i: clients[i],
        lambda client: client.post(reverse("application_accept", args=[application.pk])),
    )

    assert result.errors == [], [repr(e) for e in result.errors]
    codes = sorted(r.status_code for r in result.wins)
    assert all(code < 500 for code in codes), codes
    # The page's way of saying "done" is a redirect to the application; a refusal shows the acceptance page
    # again with the reason in an alert box, as a 400.
    assert codes.count(302) == 1, codes
    refused = [r for r in result.wins if r.status_code != 302]
    assert len(refused) == THREADS - 1
    for answer in refused:
        body = answer.content.decode()
        assert answer.status_code == 400 and 'role="alert"' in body and "已受理" in body, answer.status_code
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert events_of("application.accept", application) == 1
    assert verify_chain().ok


def test_twenty_accept_posts_through_the_api_give_one_200_and_nineteen_400(enterprise_a, user_a, clerk):
    application = submitted_application(enterprise_a, user_a)
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(clerk)
        clients.append(client)

    result = race(
        "accept application (API)",
        lambda i: clients[i],
        lambda client: client.post(f"/api/v1/applications/{application.pk}/accept/"),
    )

    assert result.errors == [], [repr(e) for e in result.errors]
    codes = sorted(r.status_code for r in result.wins)
    assert codes == [200] + [400] * (THREADS - 1), codes
    refusals = [r.json() for r in result.wins if r.status_code == 400]
    assert {r["code"] for r in refusals} == {"wrong_state"}
    assert all(r["zh"] and r["en"] for r in refusals)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert events_of("application.accept", application) == 1
    assert verify_chain().ok


# --- 2. conclude a certification decision -------------------------------------------------------------


def test_twenty_managers_concluding_one_decision_take_it_once_with_one_certificate(seated, members, programme_manager):
    for user in members:
        decision_services.opinion_record(
            by=user, decision=seated, vote=Vote.GRANT, reasoning="符合要求", impartial=True, today=DECISION_DAY
        )
    certificates = Certificate.objects.count()

    result = race(
        "conclude decision",
        lambda i: (fresh_user(programme_manager.pk), Decision.objects.get(pk=seated.pk)),
        lambda p: decision_services.decision_conclude(by=p[0], decision=p[1], today=DECISION_DAY).status,
    )

    assert_one_effect(result, "decided")
    assert result.wins == [DecisionStatus.GRANTED]
    seated.refresh_from_db()
    assert seated.status == DecisionStatus.GRANTED and seated.certificate_id is not None
    assert Certificate.objects.count() == certificates + 1
    assert events_of("decision.granted", seated) == 1
    assert Application.objects.get(pk=seated.application_id).status == ApplicationStatus.CERTIFIED


def test_twenty_votes_of_one_member_at_once_keep_one_opinion_with_every_revision_counted(seated, members):
    # Not "one effect": a member may change his vote. The race must still leave one opinion row whose
    # revision counts every accepted write, and one event per write.
    member = members[0]
    from certflow.decisions.models import Opinion

    result = race(
        "record opinion (same member)",
        lambda i: (fresh_user(member.pk), Decision.objects.get(pk=seated.pk)),
        lambda p: (
            decision_services.opinion_record(
                by=p[0], decision=p[1], vote=Vote.GRANT, reasoning="符合要求", impartial=True, today=DECISION_DAY
            ).revision
        ),
    )

    assert result.errors == [], [repr(e) for e in result.errors]
    assert result.refusals == []
    assert sorted(result.wins) == list(range(1, THREADS + 1))
    opinions = Opinion.objects.filter(decision=seated, member__user=member)
    assert opinions.count() == 1 and opinions.get().revision == THREADS
    assert events_of("decision.opinion_recorded", seated) == THREADS
    assert verify_chain().ok


# --- 3. allocate certificate numbers ------------------------------------------------------------------


def test_twenty_certificates_issued_at_once_get_twenty_consecutive_numbers(programme_manager):
    scheme_version = scheme_version_for()
    enterprises = [EnterpriseFactory() for _ in range(THREADS)]
    scope = {"categories": ["custom_furniture"], "services": ["solution_design", "manufacturing"]}

    result = race(
        "allocate certificate numbers",
        lambda i: (fresh_user(programme_manager.pk), enterprises[i]),
        lambda p: (
            certificate_services.certificate_issue(
                by=p[0],
                enterprise=p[1],
                scheme_version=scheme_version,
                grade_code="compliant",
                scope=scope,
                issued_on=date(2026, 3, 2),
                today=date(2026, 11, 24),
            ).number
        ),
    )

    assert result.errors == [] and result.refusals == [], (result.refusals, [repr(e) for e in result.errors])
    numbers = sorted(result.wins)
    assert len(set(numbers)) == THREADS
    prefix = numbers[0].rsplit("-", 1)[0]
    assert numbers == [f"{prefix}-{n:05d}" for n in range(1, THREADS + 1)], numbers  # no gap, no duplicate
    assert Certificate.objects.values("number").distinct().count() == THREADS
    assert Event.objects.filter(action="certificate.issued").count() == THREADS
    assert verify_chain().ok


# --- 4. answer one survey link ------------------------------------------------------------------------


def test_twenty_submits_of_one_survey_link_make_one_response(survey_settings, enterprise_a, user_a, clerk):
    survey = open_survey(enterprise=enterprise_a, user=user_a, clerk=clerk, n=30)
    token = send_links(survey, clerk)[0]

    result = race(
        "submit survey token",
        lambda i: token,
        lambda t: response_submit(token=t, ratings=ALL_FIVE, comment="很满意").pk,
    )

    assert_one_effect(result, "already_answered")
    response = Response.objects.get(invitation__survey=survey)
    assert Response.objects.filter(invitation__survey=survey).count() == 1
    assert result.wins == [response.pk]
    assert Invitation.objects.filter(survey=survey, used_at__isnull=False).count() == 1
    assert events_of("survey.answered", response) == 1
    assert Event.objects.filter(action="survey.answered").count() == 1


# --- 5. verify a correction (close a nonconformity) --------------------------------------------------


@pytest.fixture
def corrective_action(enterprise_a, user_a, clerk, auditor):
    application = accepted_application(enterprise=enterprise_a, user=user_a, clerk=clerk)
    review = review_services.review_assign(by=clerk, application=application, reviewer=auditor)
    record_all(review, auditor, {"4.1-1": "minor", "4.2-1": "major"})
    review_services.review_complete(by=auditor, review=review, summary="存在两项不符合，须整改。", today=REVIEW_DAY)
    major = Nonconformity.objects.get(review=review, grade="major")
    return review_services.corrective_action_submit(
        by=user_a,
        nonconformity=major,
        cause_analysis="设备管理制度未覆盖外协设备",
        correction="已补建设备台账",
        corrective_action="修订《设备管理制度》，每季度核对台账",
    )


def test_twenty_verifications_of_one_correction_close_the_nonconformity_once(corrective_action, auditor):
    nonconformity = corrective_action.nonconformity

    result = race(
        "close nonconformity",
        lambda i: (fresh_user(auditor.pk), CorrectiveAction.objects.get(pk=corrective_action.pk)),
        lambda p: review_services.corrective_action_accept(by=p[0], action=p[1], comment=f"有效 {p[1].pk}").decision,
    )

    assert result.errors == [], [repr(e) for e in result.errors]
    assert result.wins == [ActionDecision.ACCEPTED]
    assert len(result.refusals) == THREADS - 1 and len(set(result.refusals)) == 1, result.refusals
    nonconformity.refresh_from_db()
    corrective_action.refresh_from_db()
    assert nonconformity.state == NonconformityState.VERIFIED
    assert corrective_action.decision == ActionDecision.ACCEPTED
    assert events_of("nonconformity.verified", nonconformity) == 1
    assert verify_chain().ok
