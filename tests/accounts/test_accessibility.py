from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_user

AXE = (Path(__file__).parent.parent / "browser" / "axe-4.14.1.min.js").read_text()
ANONYMOUS_PAGES = ["/compte/inscription/", "/compte/connexion/", "/compte/mot-de-passe/oublie/"]
SETTINGS_PAGES = [
    "/compte/parametres/", "/compte/parametres/conditions/", "/compte/parametres/e-mails/",
    "/compte/parametres/jetons/", "/compte/parametres/compte/", "/compte/mot-de-passe/",
]  # fmt: skip


def serious_violations(page: Any, url: str) -> list[Any]:
    page.goto(url)
    page.add_script_tag(content=AXE)
    violations = page.evaluate("async () => (await axe.run()).violations")
    return [(v["id"], v["nodes"][0]["html"]) for v in violations if v["impact"] in {"serious", "critical"}]


@pytest.mark.browser
def test_account_pages_have_no_serious_accessibility_violation(live_server: Any, browser: Any) -> None:
    make_user(email="axe@relance.test", password="motdepasse-solide-42")
    # Injecting axe is an inline script: only the test's browser context ignores the CSP.
    page = browser.new_context(bypass_csp=True).new_page()
    found = {url: serious_violations(page, live_server.url + url) for url in ANONYMOUS_PAGES}
    page.goto(live_server.url + "/compte/connexion/")
    page.fill("#id_email", "axe@relance.test")
    page.fill("#id_password", "motdepasse-solide-42")
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    found |= {url: serious_violations(page, live_server.url + url) for url in SETTINGS_PAGES}
    assert {url: issues for url, issues in found.items() if issues} == {}
