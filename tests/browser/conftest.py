"""Browser tests: Playwright driving Debian's Chromium, with axe-core injected into each page.

They need /usr/bin/chromium (or CHROMIUM_PATH) and node_modules/axe-core (`npm install`).
Locally they are skipped without them; with CI set they fail, like the other service tests.
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        _missing("needs axe-core (npm install)")
    # Playwright's sync API keeps an event loop on this thread; the tests' own ORM calls
    # are plain synchronous code and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-GB", timezone_id="America/Chicago")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page as it is now (WCAG 2.2 A/AA rules)."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern: the CSP
    # stays on for the pages themselves.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    serious = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    details = [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]} for v in serious]
    assert not serious, f"{page.url}: {json.dumps(details, indent=1)}"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
