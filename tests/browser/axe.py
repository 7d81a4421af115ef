"""The axe-core check of the Chromium tests: serious and critical violations fail, readably."""

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Page

AXE_PATH = Path(__file__).with_name("axe-4.14.1.min.js")
BLOCKING_IMPACTS = {"serious", "critical"}


def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=AXE_PATH)
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"      {' '.join(map(str, node['target']))}  {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_serious_axe_violations(page: Page) -> None:
    violations = serious_axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe_violations(violations)}"


def axe_report(page: Page, paths: list[str]) -> dict[str, str]:
    """Visits each path and returns {path: readable violations} for those that have any.

    Asserting `report == {}` once lists every page's problems in one failure.
    """
    report = {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        assert urlparse(page.url).path == path, f"{path} led to {page.url}"
        violations = serious_axe_violations(page)
        if violations:
            report[path] = describe_violations(violations)
    return report
