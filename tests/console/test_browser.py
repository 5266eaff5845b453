"""The console in a real headless Chromium (Debian's), against a real `kerjasama serve`.

Sign in, submit, review, and see the status change, by label and keyboard as a screen-reader
user would; screenshots of the main pages land in tests/artefacts/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import IN_CI
from tests.e2e.conftest import Server, server
from tests.unit.builders import BANDUNG, TANGERANG

__all__ = ["server"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("CI=true but Chromium is missing: `make test` installs Debian's package")
        pytest.skip("Chromium is not installed (`make test` installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(browser: Browser, server: Server, token: str) -> Page:
    page = browser.new_page()
    page.goto(f"{server.url}/console/")
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.get_by_label("Token API").fill(token)
    page.get_by_label("Token API").press("Enter")  # the keyboard submits the form
    expect(page.get_by_role("heading", name="Dasbor")).to_be_visible()
    return page


def shot(page: Page, name: str, backend: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"console-{name}-{backend}.png"), full_page=True)


def test_submit_review_and_see_the_status_change(
    browser: Browser, server: Server, database_url: str
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    official = sign_in(browser, server, server.token("official", TANGERANG))
    official.get_by_role("link", name="Usulan baru").click()
    official.get_by_label("Judul (wajib)").fill("Kerja sama bank sampah Tangerang-Surabaya")
    official.get_by_label("Ringkasan (wajib)").fill("Alih pengetahuan bank sampah antarkota.")
    official.locator("[id='partners[0].name']").fill("Kota Surabaya")
    official.locator("[id='partners[0].region_code']").select_option("35.78")
    official.get_by_label("Lingkungan Hidup", exact=False).first.check()
    official.locator("[id='benefits[0].party']").fill("36.71")
    official.locator("[id='benefits[0].description']").fill("Teknologi pengomposan untuk kecamatan")
    official.locator("[id='benefits[1].party']").fill("35.78")
    official.locator("[id='benefits[1].description']").fill("Pelatihan petugas bank sampah kota")
    official.get_by_label("Dasar hukum (satu per baris)").fill("UU 23/2014\nPP 28/2018")
    official.get_by_label("Target TPB/SDGs").select_option("11.6")
    official.get_by_label("Tanggal mulai (wajib)").fill("2027-01-01")
    official.get_by_label("Tanggal berakhir (wajib)").fill("2028-12-31")
    shot(official, "submission-form", backend)
    official.get_by_role("button", name="Ajukan usulan").click()
    expect(official.get_by_role("status")).to_have_text("Tersimpan")
    expect(official.locator(".principle")).to_have_count(7)
    shot(official, "proposal", backend)
    proposal_url = official.url.split("?")[0]

    reviewer = sign_in(browser, server, server.token("reviewer", BANDUNG))
    shot(reviewer, "dashboard", backend)
    reviewer.goto(proposal_url)
    reviewer.get_by_label("Setujui").check()
    reviewer.get_by_label("Catatan").fill("Sesuai prinsip kerja sama")
    shot(reviewer, "review-form", backend)
    reviewer.get_by_role("button", name="Kirim telaah").focus()
    reviewer.keyboard.press("Enter")
    expect(reviewer.locator(".facts .status")).to_have_text("disetujui")

    official.reload()
    expect(official.locator(".facts .status")).to_have_text("disetujui")
    official.get_by_role("link", name="English").click()
    expect(official.locator(".facts .status")).to_have_text("approved")


def test_every_input_has_a_label_and_the_skip_link_leads_to_the_content(
    browser: Browser, server: Server
) -> None:
    page = sign_in(browser, server, server.token("official", TANGERANG))
    page.goto(f"{server.url}/console/proposals/new")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.closest('label'))
            .map(e => e.name)"""
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Langsung ke isi")).to_be_focused()
