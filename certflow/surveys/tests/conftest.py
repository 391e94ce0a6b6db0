import pytest


@pytest.fixture(autouse=True)
def _inline_imports(settings):
    # The tests run the list import in the request, not in a worker thread (decisions V2).
    settings.CERTFLOW_SURVEY_IMPORT_MODE = "inline"
    settings.CERTFLOW_SURVEY_SENDERS = {
        "email": "certflow.surveys.senders.EmailSender",
        "sms": "certflow.surveys.senders.MemorySmsSender",
    }
