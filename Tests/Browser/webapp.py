"""Helpers of the web-app tests that know its pages: signing in as a demo user, reading amounts
and visible text, the catalogue's keys, today in Tashkent."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import ROOT, sign_in_with_link, wait_for

PASSWORD = "Correct-horse-battery-42"
HOME = {"mentor": "/families", "coordinator": "/collections", "admin": "/collections", "grant_officer": "/dashboard"}


def today_tashkent() -> datetime:
    return datetime.now(ZoneInfo("Asia/Tashkent"))


def today_display() -> str:
    return today_tashkent().strftime("%d.%m.%Y")


def this_month() -> str:
    return today_tashkent().strftime("%m.%Y")


class Accounts:
    """Signs demo users in: with the link `serve --demo` printed the first time a user is wanted
    in the run (that link is one-time), else with a fresh `ravnaq user invite` link."""

    def __init__(self, ravnaq):
        self.ravnaq = ravnaq
        self.used: set[str] = set()

    def email(self, who: str) -> str:
        try:
            return self.ravnaq.login(who).email
        except KeyError:
            return who

    def fresh_link(self, who: str) -> str:
        email = self.email(who)
        out = self.ravnaq.cli("user", "invite", email, "--url", self.ravnaq.base).stdout.strip().splitlines()
        assert out and "/welcome/" in out[-1], f"user invite printed no link: {out}"
        self.used.add(email)
        return out[-1].strip()

    def link(self, who: str) -> str:
        email = self.email(who)
        login = self.ravnaq.logins.get(email)
        if email not in self.used and login is not None and login.link:
            self.used.add(email)
            return login.link
        return self.fresh_link(email)

    def sign_in(self, driver, who: str, password: str = PASSWORD) -> str:
        """Choose `password` through the user's link; signed in on their home. Returns the email."""
        email = self.email(who)
        sign_in_with_link(driver, self.ravnaq.base, self.link(email), password, email=email)
        wait_for(driver, "form.sign-out", 10)
        return email


def path_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def query_of(driver) -> str:
    return urllib.parse.urlsplit(driver.current_url).query


def parse_amount(text: str) -> Decimal:
    """'12 500 000,00 UZS' (no-break spaces, decimal comma, − for minus) → Decimal('12500000.00')."""
    kept = "".join(c for c in text if c.isdigit() or c in ",−-")
    if not kept:
        return Decimal(0)
    negative = kept[0] in "−-"
    number = kept.lstrip("−-").replace(",", ".")
    value = Decimal(number)
    return -value if negative else value


def body_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def html_lang(driver) -> str:
    return driver.execute_script("return document.documentElement.lang")


def scroll_width(driver) -> int:
    return driver.execute_script(
        "return Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0)")


def catalogue(lang: str = "en") -> dict[str, str]:
    with open(ROOT / "web" / "catalogue" / f"{lang}.json", encoding="utf-8") as f:
        return json.load(f)


def catalogue_keys() -> set[str]:
    return set(catalogue("en").keys())


_LABELS = """
return Array.from(document.querySelectorAll(
    'h1, h2, h3, label, th, button, nav a, figcaption, a.button, p.hint, .legend-box p'))
  .filter(e => e.offsetParent !== null || e.getClientRects().length)
  .map(e => e.textContent.replace(/\\s+/g, ' ').replace(/ \\*$/, '').trim())
  .filter(t => t.length > 2);
"""


def english_shown(driver, lang: str) -> set[str]:
    """Headings, labels and buttons of the page still in English while the language is another:
    texts equal to an English catalogue entry that `lang`'s catalogue says differently."""
    if lang == "en":
        return set()
    en, own = catalogue("en"), catalogue(lang)
    english = {v for k, v in en.items() if own.get(k, v) != v}
    translated = set(own.values())
    return {t for t in driver.execute_script(_LABELS) if t in english and t not in translated}


_KEYLIKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def raw_keys_shown(driver, keys: set[str]) -> set[str]:
    return {word for word in _KEYLIKE.findall(body_text(driver)) if word in keys}


def submit_form(driver, form_css: str = "form.record", timeout: float = 15):
    """Click the form's submit button and wait until the page changed (a redirect, the form again)."""
    form = wait_for(driver, form_css, timeout)
    old = driver.find_element(By.TAG_NAME, "body")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, timeout).until(lambda d: _stale(old))


def _stale(element) -> bool:
    try:
        element.is_enabled()
        return False
    except Exception:
        return True


def fill(driver, name: str, value: str, form_css: str = "form.record"):
    field = driver.find_element(By.CSS_SELECTOR, f"{form_css} [name={name}]")
    field.clear()
    field.send_keys(value)


def session_fetch(driver, url: str, method: str = "GET", body: str | None = None, headers: dict | None = None):
    """fetch() from the page (its cookies): {status, text, bytes}."""
    return driver.execute_async_script(
        """
        const [url, method, body, headers, done] = arguments;
        fetch(url, {method, body: body === null ? undefined : body, headers, credentials: 'same-origin', redirect: 'follow'})
          .then(r => r.arrayBuffer().then(b => done({status: r.status, url: r.url, bytes: b.byteLength,
                                                      text: new TextDecoder().decode(b)})))
          .catch(e => done({status: -1, text: String(e), bytes: 0}));
        """, url, method, body, headers or {})


def cookie_header(driver) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())


def fetch_bytes(url: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.status, dict(r.headers), r.read()

