"""The onboarding kit in a real browser: a path printed to PDF by Chromium whose QR codes decode
(zxing-cpp) to the items' short addresses, and a newcomer who reads a path through while
logged in showing as finished on the managers' page."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, log_in, open_page

NEWCOMER = ("xiaowang", "newcomer-password")


@pytest.fixture(scope="module")
def newcomer_account(site):
    from kb.users import Users

    base, content = site
    users = Users(f"sqlite:///{content.parent / 'instance' / 'kb.sqlite3'}")
    if users.get(NEWCOMER[0]) is None:
        users.add(NEWCOMER[0], NEWCOMER[1], "reader")
    users.close()
    return NEWCOMER


def logged_in(browser, site, account):
    """A fresh browser context (its own localStorage) logged in as ``account``."""
    pg = open_page(browser, site, **DESKTOP)
    pg.goto(site[0] + "/login")
    pg.fill("#name", account[0])
    pg.fill("#password", account[1])
    pg.click("form.edit-form button[type=submit]")
    pg.wait_for_url(site[0] + "/")
    return pg


def decode(pdf: bytes) -> list[str]:
    """Every QR code on every page of ``pdf``, rendered at 200 dpi as a printed sheet would be scanned."""
    import pypdfium2
    import zxingcpp

    found = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=200 / 72).to_numpy()
        found += [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    return found


def test_a_printed_path_carries_qr_codes_that_open_the_short_addresses(page, site, artifacts):
    base, _ = site
    page.goto(base + "/paths/newcomer/print")
    addresses = page.locator(".handout-item .handout-qr").evaluate_all("els => els.map(e => e.dataset.address)")
    assert len(addresses) == 7 and all(re.match(re.escape(base) + r"/k/\d+", a) for a in addresses)
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "handout-newcomer.pdf").write_bytes(pdf)
    decoded = decode(pdf)
    assert set(addresses) <= set(decoded), (addresses, decoded)
    assert base + "/paths/newcomer" in decoded  # the path itself, at the top
    page.goto(addresses[0])  # what a phone opens
    expect(page.locator("h1")).to_have_text("怎样搞好办公室服务工作")
    page.goto(addresses[-1])  # a section item: the section
    assert page.evaluate("decodeURIComponent(location.pathname)").startswith("/a/excellent-office-director/讲规范守纪律")


def test_a_newcomer_reads_the_path_and_the_manager_sees_it(browser, site, newcomer_account):
    base, _ = site
    reader = logged_in(browser, site, newcomer_account)
    reader.goto(base + "/paths/newcomer")
    links = reader.locator(".path-item a[href^='/a/']").evaluate_all("els => els.map(a => a.href)")
    assert len(links) == 7
    for link in links:
        reader.goto(link)
        status = reader.locator(".path-nav[data-path=newcomer] .path-nav-status")
        for _ in range(60):  # read to the end, a screen at a time
            if status.text_content() == "✓ 已读":
                break
            reader.mouse.wheel(0, 700)
            reader.wait_for_timeout(50)
        expect(status).to_have_text("✓ 已读")
        reader.evaluate("KB.progressSent()")
    reader.goto(base + "/paths/newcomer")
    expect(reader.locator(".path-progress")).to_have_text("已读 7 / 7")
    reader.context.close()

    manager = open_page(browser, site, **DESKTOP)
    log_in(manager, base)
    manager.goto(base + "/paths/progress")
    row = manager.locator("section.path-standings", has_text="新员工入职必读").locator("tr", has_text=newcomer_account[0])
    expect(row.locator("td").nth(0)).to_contain_text("7 / 7")
    expect(row.locator("td").nth(1).locator("time")).to_be_visible()
    manager.context.close()


def test_reading_progress_follows_the_account_to_another_browser(browser, site, newcomer_account):
    base, _ = site
    other = logged_in(browser, site, newcomer_account)  # a fresh context: no localStorage
    other.goto(base + "/paths/newcomer")
    expect(other.locator(".path-progress")).to_have_text("已读 7 / 7")
    other.context.close()
