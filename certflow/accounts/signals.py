"""Sign-in side effects: remember whether the user has an authenticator; put lock-outs in the event log."""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from certflow.accounts import second_factor
from certflow.accounts.models import User
from certflow.core.events.models import Event
from certflow.core.events.services import record_event


@receiver(user_logged_in, dispatch_uid="certflow_remember_second_factor")
def remember_second_factor(sender, request, user, **kwargs):
    # Read on every page by SecondFactorMiddleware; asking the database once here keeps pages flat.
    if request is not None and hasattr(request, "session"):
        second_factor.remember_device_state(request, user)


@receiver(user_locked_out, dispatch_uid="certflow_record_lockout")
def record_lockout(sender, request, username, ip_address, **kwargs):
    # Each failure is already logged by django-axes (its AccessAttempt rows and the "axes" logger); the
    # lock-out itself is what an administrator must be able to find later, so it goes into the event log.
    # Axes signals again on every attempt while the lock holds; one entry per lock-out is the fact worth
    # keeping, and an attacker hammering a locked address must not be able to flood the log.
    since = timezone.now() - (get_cool_off(request) or timedelta(days=1))
    if Event.objects.filter(action="user.locked_out", after__username=username or "", occurred_at__gte=since).exists():
        return
    user = User.objects.filter(email__iexact=username or "").first()
    record_event(
        actor=None,
        action="user.locked_out",
        target=user,
        after={"username": username or "", "ip_address": ip_address or ""},
    )
