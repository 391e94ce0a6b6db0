"""Pluggable invitation senders (settings.CERTFLOW_SURVEY_SENDERS): e-mail through Django's mail
backend, SMS through any class with the same `send` — the console one by default (decisions V8)."""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("certflow.surveys.sms")


@dataclass(frozen=True)
class Message:
    to: str  # e-mail address or phone number
    subject: str
    text: str


class Sender(ABC):
    """Interface: deliver one message; return (ok, detail). Must not raise for a delivery failure."""

    medium = ""

    @abstractmethod
    def send(self, message: Message) -> tuple[bool, str]: ...


class EmailSender(Sender):
    medium = "email"

    def send(self, message: Message) -> tuple[bool, str]:
        try:
            send_mail(message.subject, message.text, None, [message.to])
        except Exception as exc:  # SMTP and backend errors vary; the failure is recorded, not raised
            return False, f"{type(exc).__name__}: {exc}"[:500]
        return True, "sent"


class SmsSender(Sender):
    """Base for an SMS gateway: subclass and implement `send` with the gateway's client."""

    medium = "sms"


class ConsoleSmsSender(SmsSender):
    """Writes the SMS to the log instead of sending it (development and demo)."""

    def send(self, message: Message) -> tuple[bool, str]:
        logger.info("SMS to %s: %s", message.to, message.text)
        return True, "console"


class MemorySmsSender(SmsSender):
    """Keeps messages in `outbox` (tests)."""

    outbox: list[Message] = []

    def send(self, message: Message) -> tuple[bool, str]:
        MemorySmsSender.outbox.append(message)
        return True, "memory"


def sender_for(medium: str) -> Sender:
    path = settings.CERTFLOW_SURVEY_SENDERS[medium]
    return import_string(path)()


def sender_path(medium: str) -> str:
    return settings.CERTFLOW_SURVEY_SENDERS[medium]
