"""pytest fixtures of the browser tests; the machinery is in harness.py.

    ravnaq        (session)  the one RavnaqServer of the run: .base, .port, .data_dir, .logins,
                             .token(role|email), .link(role|email), .stdout, .log_tail()
    base_url      (session)  "http://127.0.0.1:PORT"
    api           (session)  api(token, method, path, json=None, headers=None) -> ApiResponse
    cli           (session)  cli(*args, as_user=None, input=None, check=True) -> CompletedProcess
    new_browser   (test)     new_browser(width=1280, height=900, lang="en") -> webdriver.Chrome,
                             downloads in driver.download_dir (a fresh folder per browser); all
                             quit after the test
    browser       (test)     new_browser() with the defaults
    accounts      (session)  webapp.Accounts: accounts.sign_in(driver, role|email) signs a demo user
                             in through a one-time link (the demo one first, then fresh invites)
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness import RavnaqServer, make_browser  # noqa: E402
from webapp import Accounts  # noqa: E402


@pytest.fixture(scope="session")
def ravnaq():
    server = RavnaqServer()
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(ravnaq):
    return ravnaq.base


@pytest.fixture(scope="session")
def api(ravnaq):
    return ravnaq.api


@pytest.fixture(scope="session")
def cli(ravnaq):
    return ravnaq.cli


@pytest.fixture
def new_browser(tmp_path):
    drivers = []

    def new(width: int = 1280, height: int = 900, lang: str = "en"):
        downloads = Path(tmp_path) / f"downloads-{len(drivers) + 1}"
        downloads.mkdir()
        driver = make_browser(width=width, height=height, lang=lang, download_dir=downloads)
        drivers.append(driver)
        return driver

    yield new
    for driver in drivers:
        try:
            driver.quit()
        except Exception:
            pass


@pytest.fixture
def browser(new_browser):
    return new_browser()


@pytest.fixture(scope="session")
def accounts(ravnaq):
    return Accounts(ravnaq)
