"""A fake mail server for the tests: each message gets the next answer the test chose."""

from dataclasses import dataclass

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


@dataclass
class AcceptedThen:
    """The server took the message, then the portal never learnt it (its reply was lost, or
    the process died before it marked the row sent)."""

    error: BaseException


class FakeMailServer(BaseEmailBackend):
    """Answers each message with the next of `answers`: None accepts it, an exception refuses
    it, AcceptedThen(error) accepts it and raises, a function is called (to act while the
    message is being sent) and its exception raised; with no answers left it accepts."""

    answers: list = []
    timeouts: list = []

    def __init__(self, *args, timeout=None, **kwargs):
        super().__init__(*args, **kwargs)
        FakeMailServer.timeouts.append(timeout)

    def send_messages(self, email_messages):
        for message in email_messages:
            answer = FakeMailServer.answers.pop(0) if FakeMailServer.answers else None
            if isinstance(answer, AcceptedThen):
                mail.outbox.append(message)
                raise answer.error
            if isinstance(answer, BaseException):
                raise answer
            if answer is not None:
                answer()
            mail.outbox.append(message)
        return len(email_messages)
