"""Every page in every language at a desktop and a phone width: screenshots/<lang>-<width>-<page>.png.

On each page: <html lang> is the language chosen (its cookie wins over the browser's
Accept-Language), no catalogue key shows raw in the visible text, no heading, label or button
is left in English in uz and ru, and at 360 px the page itself
is no wider than the window. At 1280 px in English each page weighs under 200 KB with its assets.
"""

import urllib.parse
import uuid

import pytest
from selenium.webdriver.common.by import By

from harness import screenshot, wait_for
from webapp import (catalogue_keys, english_shown, fetch_bytes, html_lang, path_of, raw_keys_shown, scroll_width,
                    session_fetch)

LANGUAGES = ["uz", "ru", "en"]
WIDTHS = [1280, 360]
BUDGET = 200 * 1024
OTHER = {"uz": "ru", "ru": "en", "en": "uz"}  # the browser's Accept-Language, which the cookie must beat


@pytest.fixture(scope="module")
def invite_link(ravnaq):
    """A one-time link of a user made for these screenshots (only looked at, never used)."""
    email = f"screens-{uuid.uuid4().hex[:6]}@demo.ravnaq.example"
    ravnaq.cli("user", "add", email, "--role", "mentor")
    return ravnaq.cli("user", "invite", email, "--url", ravnaq.base).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def ids(ravnaq, api):
    """The families, projects and loans the pages show, from the API."""
    mentor = ravnaq.token("aziza.rahimova@demo.ravnaq.example")
    families = api(mentor, "GET", "/api/v1/families?limit=100").json()["items"]
    family = project = None
    for f in families:
        doc = api(mentor, "GET", f"/api/v1/families/{f['id']}").json()
        active = [p for p in doc.get("projects", []) if p.get("status") == "active"]
        if active:
            family, project = f["id"], active[0]["id"]
            break
    assert family, "no family of aziza has an active project"
    return {"family": family, "project": project}


def choose_language(driver, lang):
    """Follow the page's language link (its href: no click racing a page still settling)."""
    href = wait_for(driver, f"nav.languages a[hreflang={lang}]").get_attribute("href")
    assert f"/language/{lang}?back=" in href, href
    back = path_of(driver)
    driver.get(href)
    wait_for(driver, f"html[lang={lang}]")
    assert path_of(driver) == back, f"the language link went to {driver.current_url}, not back to {back}"


class Pages:
    def __init__(self, lang, base, keys, asset_bytes):
        self.lang, self.base, self.keys, self.asset_bytes = lang, base, keys, asset_bytes
        self.problems: list[str] = []
        self.shots = 0

    def visit(self, driver, width, name, path, ready="main"):
        if path is not None:
            driver.get(path if path.startswith("http") else self.base + path)
        wait_for(driver, ready)
        where = f"{self.lang}-{width}-{name} ({path_of(driver)})"
        if html_lang(driver) != self.lang:
            self.problems.append(f"{where}: <html lang={html_lang(driver)!r}>, expected {self.lang!r}")
        raw = raw_keys_shown(driver, self.keys)
        if raw:
            self.problems.append(f"{where}: raw catalogue keys shown: {sorted(raw)}")
        english = english_shown(driver, self.lang) if width == 1280 else set()
        if english:
            self.problems.append(f"{where}: still in English: {sorted(english)}")
        if width == 360:
            wide = scroll_width(driver)
            if wide > driver.execute_script("return window.innerWidth"):
                self.problems.append(f"{where}: the page is {wide} px wide at 360 px")
        if width == 1280 and self.lang == "en":
            page = session_fetch(driver, driver.current_url)
            total = page["bytes"] + self.asset_bytes
            if total > BUDGET:
                self.problems.append(f"{where}: {total} bytes with its assets (HTML {page['bytes']}), over {BUDGET}")
        screenshot(driver, f"{self.lang}-{width}-{name}")
        self.shots += 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_every_language(lang, new_browser, ravnaq, accounts, invite_link, ids):
    base = ravnaq.base
    assets = sum(len(fetch_bytes(base + a)[2]) for a in ("/assets/app.css", "/assets/app.js"))
    pages = Pages(lang, base, catalogue_keys(), assets)
    welcome_path = urllib.parse.urlsplit(invite_link).path

    anonymous = new_browser(lang=OTHER[lang])
    anonymous.get(base + "/sign-in")
    choose_language(anonymous, lang)
    mentor = new_browser(lang=OTHER[lang])
    accounts.sign_in(mentor, "aziza.rahimova@demo.ravnaq.example")
    choose_language(mentor, lang)
    coordinator = new_browser(lang=OTHER[lang])
    accounts.sign_in(coordinator, "coordinator")
    choose_language(coordinator, lang)
    coordinator.get(base + "/collections")
    loan_href = wait_for(coordinator, "table#collections tr[data-loan-number] a[href^='/loans/']").get_attribute("href")
    officer = new_browser(lang=OTHER[lang])
    accounts.sign_in(officer, "grant_officer")
    choose_language(officer, lang)
    admin = new_browser(lang=OTHER[lang])
    accounts.sign_in(admin, "admin")
    choose_language(admin, lang)

    family, project = ids["family"], ids["project"]
    for width in WIDTHS:
        for driver in (anonymous, mentor, coordinator, officer, admin):
            driver.set_window_size(width, 900)
        pages.visit(anonymous, width, "sign-in", "/sign-in", "#email")
        pages.visit(anonymous, width, "welcome", welcome_path, "#password_confirmation")

        pages.visit(mentor, width, "my-families", "/families", "ul#families")
        pages.visit(mentor, width, "family", f"/families/{family}", "section#visits")
        for form in ("visit", "income", "assessment", "goal", "referral"):
            pages.visit(mentor, width, f"form-{form}", f"/families/{family}/{form}", "form.record")
        pages.visit(mentor, width, "form-report", f"/projects/{project}/report", "form.record")

        pages.visit(coordinator, width, "collections", "/collections", "table#collections")
        pages.visit(coordinator, width, "loan", loan_href, "table#schedule")
        pages.visit(coordinator, width, "case-file", f"/families/{family}/case-file", "a.open-loan")
        pages.visit(coordinator, width, "books", "/books", "table#trial-balance")
        pages.visit(coordinator, width, "form-project", f"/families/{family}/project", "form")
        pages.visit(coordinator, width, "form-loan", f"/projects/{project}/loan", "form")
        pages.visit(coordinator, width, "form-grant", f"/projects/{project}/grant", "form")

        pages.visit(officer, width, "dashboard", "/dashboard", "section#training")
        pages.visit(admin, width, "users", "/users", "table#users")

    assert pages.shots == 2 * 19
    assert not pages.problems, "\n".join(pages.problems)
