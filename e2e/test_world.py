"""The world every scenario stands on: the server answers, people sign in as themselves, the clock moves."""

from datetime import timedelta

from playwright.sync_api import expect

from e2e.conftest import START


def test_staff_and_enterprise_sign_in_and_the_clock_moves_the_server(server, people, steps):
    clerk = people("clerk@olis-cert.example")
    page = clerk.open("/dashboard/")
    # The dashboard names last month's regulator report: the server's calendar is the scenario's.
    last_month = (server.clock.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    expect(page.locator("body")).to_contain_text(f"{last_month} 月度数据须于")
    steps.shot(page, "clerk-dashboard")

    owner = people("owner@jiangxin.example")
    page = owner.open("/enterprise/")
    assert "/accounts/login/" not in page.url
    steps.shot(page, "enterprise-home")

    assert server.clock.today() >= START.date()
    server.clock.advance(days=40)
    later = server.clock.today()
    page = clerk.open("/applications/acceptance/")
    assert "/accounts/login/" not in page.url  # signed in again after the session aged out
    result = server.certflow("shell", "-c", "from django.utils import timezone; print(timezone.localdate())")
    server_today = result.stdout.strip().splitlines()[-1]
    assert server_today in {str(later + timedelta(days=d)) for d in (-1, 0, 1)}
