"""Retake the README's screenshot: the dashboard at 1280 px, logged in as the demo user.

RELANCE_VAR_DIR=/tmp/shot make run            # demo data, in another terminal
.venv/bin/python docs/screenshot.py http://127.0.0.1:8000
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# The published demo login (relance/demo.py); importing it would need Django set up.
DEMO_EMAIL, DEMO_PASSWORD = "demo@relance.test", "relance-demo"  # noqa: S105
OUTPUT = Path(__file__).resolve().parent / "screenshot-dashboard.png"


def main(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        # French, as our users see it (the browser would otherwise ask for English).
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page.goto(f"{base_url}/compte/connexion/")
        page.fill("#id_email", DEMO_EMAIL)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUTPUT))
        browser.close()
    sys.stdout.write(f"{OUTPUT}\n")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
