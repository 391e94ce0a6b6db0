"""The whole life of a certificate through the pages only, each person signed in as themselves (issue 8).

An enterprise registers and applies with its materials → the clerk asks for a supplement, then accepts →
the reviewer raises a nonconformity → the enterprise corrects it → the on-site audit is planned, agreed,
notified, conducted and closed → customers answer the survey through their links and one by phone → the
committee decides → the enterprise downloads its certificate → the public verification page shows it
valid → a major nonconformity in the surveillance audit suspends it and the page shows it suspended.

Every step leaves a numbered screenshot in artifacts/e2e/test_a_certificate_from_application_to_suspension/.
"""

from e2e.journey import decision, early, onsite


def test_a_certificate_from_application_to_suspension(world):
    case = early.new_case("lifecycle")
    early.walk(world, case)
    onsite.walk(world, case)
    decision.walk(world, case)
    assert case.certificate_number
