import pytest

from tests.notifications.mail_server import FakeMailServer


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail_server.FakeMailServer"
    FakeMailServer.answers = []
    FakeMailServer.timeouts = []
    yield FakeMailServer
    FakeMailServer.answers = []
    FakeMailServer.timeouts = []
