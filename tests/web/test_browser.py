"""A real browser — Debian's Chromium, headless, driven by Playwright — on the running server: an actor page, a link
to an instrument, an example query run from the query page. Nothing may be fetched from anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make setup)")


def test_browse_an_actor_an_instrument_and_run_an_example_query(live_server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            elsewhere: list[str] = []
            page.on("request", lambda req: None if req.url.startswith(live_server.url) else elsewhere.append(req.url))
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(live_server.url + "/id/acteur/caf/49")  # the thing's IRI: 303 to its HTML page
            assert page.url == live_server.url + "/id/acteur/caf/49.html"
            assert "Caf de Maine-et-Loire" in page.locator("h1").inner_text()
            assert page.locator("section.neighbourhood svg circle").count() > 3

            page.locator("table.data a[href$='/id/instrument/ctg-loire-layon-aubance-2020-2024.html']").first.click()
            page.wait_for_url("**/id/instrument/ctg-loire-layon-aubance-2020-2024.html")
            assert "CTG Loire Layon Aubance" in page.locator("h1").inner_text()
            assert page.get_by_text("Axes et actions").count() >= 1

            page.goto(live_server.url + "/query")
            page.locator("aside.examples a.example").first.click()
            page.wait_for_load_state()
            assert "example=" in page.url
            page.locator("#run").click()
            page.wait_for_selector("table.results-table tbody tr", timeout=15_000)
            assert page.locator("table.results-table tbody tr").count() > 0
            href = page.locator("table.results-table tbody a").first.get_attribute("href")
            assert href is not None and href.startswith("/")  # results link back to resource pages
            page.locator("table.results-table tbody a").first.click()
            page.wait_for_load_state()
            assert page.locator("h1").count() == 1

            assert elsewhere == []
            assert errors == []
        finally:
            browser.close()
