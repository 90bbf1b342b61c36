"""The browser-test harness: one `ravnaq serve --demo` per run, headless Chromium per test.

Nothing here knows the web app's pages beyond the ids the sign-in helpers fill; the fixtures of
conftest.py wrap these classes and functions.
"""

from __future__ import annotations

import json as jsonlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("RAVNAQ_SCREENSHOTS", ROOT / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")


def demo_users() -> list[dict]:
    """The demo users of seed/demo.json: [{"role": ..., "email": ...}, ...]."""
    with open(ROOT / "seed" / "demo.json", encoding="utf-8") as f:
        return jsonlib.load(f)["users"]


# --- the server's standard output -------------------------------------------------------------

@dataclass
class Login:
    """One demo user as `serve --demo` printed it: its API token and/or its one-time web link."""
    email: str
    role: str | None = None
    token: str | None = None
    link: str | None = None


_URL = re.compile(r"https?://[^\s<>\"']+/welcome/[^\s<>\"']+")
_EMAIL = re.compile(r"[^\s<>\"'@]+@[^\s<>\"'@]+\.[^\s<>\"'@]+")
_TOKEN = re.compile(r"\brvq_[A-Za-z0-9_\-]+")


def parse_logins(text: str) -> dict[str, Login]:
    """Logins by email from the lines `serve --demo` prints.

    Understands `role<TAB>email<TAB>token` and any line holding a `http://…/welcome/…` URL together
    with an email (`  <role>  <email>  <url>`, in any order); a role is the first word of the
    line when it is neither the email nor the URL. Lines of the same email merge.
    """
    logins: dict[str, Login] = {}
    for line in text.splitlines():
        url = _URL.search(line)
        rest = _URL.sub(" ", line)
        email = _EMAIL.search(rest)
        if not email:
            continue
        email_text = email.group(0)
        token = _TOKEN.search(rest.replace(email_text, " "))
        if not url and not token:
            continue
        login = logins.setdefault(email_text, Login(email=email_text))
        if url:
            login.link = url.group(0)
        if token:
            login.token = token.group(0)
        words = rest.split()
        if words and words[0] != email_text and not words[0].startswith("rvq_"):
            login.role = login.role or words[0]
    return logins


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ApiResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return jsonlib.loads(self.body) if self.body else None


class RavnaqServer:
    """`ravnaq serve --demo --host 127.0.0.1 --port P --data-dir TMP/data`, in a session of its own."""

    def __init__(self, binary: str | None = None, startup_timeout: float = 180):
        self.binary = str(Path(binary or os.environ.get("RAVNAQ_BIN") or ROOT / ".build/debug/ravnaq").resolve())
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"no ravnaq binary at {self.binary} (build it, or set RAVNAQ_BIN)")
        self.startup_timeout = startup_timeout
        # The private cluster runs as the postgres system user when we are root: it must reach it.
        self.work = Path(tempfile.mkdtemp(prefix="ravnaq-browser."))
        os.chmod(self.work, 0o755)
        self.data_dir = self.work / "data"
        self.log_path = self.work / "server.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout_lines: list[str] = []
        self.process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self.logins: dict[str, Login] = {}

    # The environment of the server and of cli(): its own private cluster, never another database.
    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not (k.startswith("PG") or k == "DATABASE_URL")}
        env["RAVNAQ_DATA_DIR"] = str(self.data_dir)
        env.setdefault("LOG_LEVEL", "info")
        env.update({k: v for k, v in extra.items() if v is not None})
        return env

    def start(self) -> "RavnaqServer":
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--demo", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=self.env(),
            cwd=self.work, start_new_session=True)
        log.close()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ravnaq serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ravnaq serve did not answer /healthz in {self.startup_timeout} s:\n{self.log_tail()}")
            time.sleep(0.2)
        # The demo lines are written before the server listens; let the reader take them all.
        quiet_since, seen = time.monotonic(), -1
        while time.monotonic() - quiet_since < 0.3 and time.monotonic() < deadline:
            if len(self.stdout_lines) != seen:
                seen, quiet_since = len(self.stdout_lines), time.monotonic()
            time.sleep(0.05)
        self.logins = parse_logins(self.stdout)
        return self

    def _read_stdout(self):
        assert self.process and self.process.stdout
        for raw in self.process.stdout:
            self.stdout_lines.append(raw.decode("utf-8", "replace"))

    @property
    def stdout(self) -> str:
        return "".join(self.stdout_lines)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """SIGTERM (the server stops its private PostgreSQL), then SIGKILL whatever is left."""
        p = self.process
        if p and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if p:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the session leader's group: anything it left behind
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._stop_postmaster()
        if self._reader:
            self._reader.join(timeout=2)
        shutil.rmtree(self.work, ignore_errors=True)

    def _stop_postmaster(self):
        # pg_ctl detaches the postmaster into its own session: if the server died without
        # stopping it, stop it by the pid in postmaster.pid.
        pidfile = self.data_dir / "pg" / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGKILL, 5)):  # SIGINT: PostgreSQL's fast shutdown
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            end = time.monotonic() + wait
            while time.monotonic() < end:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)

    # --- what tests use ---

    def login(self, who: str) -> Login:
        """A demo login by email, or by role (the first user of that role)."""
        if who in self.logins:
            return self.logins[who]
        for login in self.logins.values():
            if login.role == who:
                return login
        for user in demo_users():  # a role the output did not name: seed/demo.json does
            if user["role"] == who and user["email"] in self.logins:
                return self.logins[user["email"]]
        raise KeyError(f"no demo login {who!r} in the output of serve --demo:\n{self.stdout}")

    def token(self, who: str) -> str:
        token = self.login(who).token
        if not token:
            raise KeyError(f"serve --demo printed no token for {who!r}")
        return token

    def link(self, who: str) -> str:
        link = self.login(who).link
        if not link:
            raise KeyError(f"serve --demo printed no /welcome/ link for {who!r}:\n{self.stdout}")
        return link

    def api(self, token: str | None, method: str, path: str, json=None, headers: dict | None = None,
            timeout: float = 30) -> ApiResponse:
        """One JSON API call; never raises on an HTTP status (4xx/5xx come back as they are)."""
        url = path if path.startswith("http") else self.base + path
        data = None if json is None else jsonlib.dumps(json).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method.upper())
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return ApiResponse(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return ApiResponse(e.code, dict(e.headers), e.read())

    def cli(self, *args: str, as_user: str | None = None, input: str | None = None, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess:
        """`ravnaq ARGS…` on the server's database ($RAVNAQ_DATA_DIR; works while it serves).

        as_user sets $RAVNAQ_AS (act with that user's rights). check=True raises on a non-zero
        exit, showing stderr. stdout/stderr are text.
        """
        result = subprocess.run([self.binary, *map(str, args)], env=self.env(RAVNAQ_AS=as_user),
                                input=input, capture_output=True, text=True, timeout=timeout,
                                cwd=self.work)
        if check and result.returncode != 0:
            raise AssertionError(f"ravnaq {' '.join(map(str, args))} exited {result.returncode}:\n"
                                 f"{result.stderr}{result.stdout}")
        return result


# --- browsers ---------------------------------------------------------------------------------

def make_browser(width: int = 1280, height: int = 900, lang: str = "en",
                 download_dir: str | os.PathLike | None = None) -> webdriver.Chrome:
    """Headless Debian Chromium through Debian's chromedriver. driver.download_dir is where
    downloads land (no prompt)."""
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", f"--lang={lang}"):
        options.add_argument(arg)
    prefs = {"intl.accept_languages": lang, "download.prompt_for_download": False,
             "download.directory_upgrade": True}
    if download_dir is not None:
        prefs["download.default_directory"] = str(download_dir)
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    if download_dir is not None:
        # Headless Chromium honours the pref only with downloads allowed explicitly.
        try:
            driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                   {"behavior": "allow", "downloadPath": str(download_dir)})
        except Exception:
            pass
    driver.download_dir = Path(download_dir) if download_dir is not None else None
    return driver


def screenshot(driver, name: str) -> Path:
    """The whole page as screenshots/<name>.png (the window made as tall as the page, then restored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else name + ".png")
    size = driver.get_window_size()
    height = driver.execute_script(
        "return Math.max(document.body ? document.body.scrollHeight : 0,"
        " document.documentElement ? document.documentElement.scrollHeight : 0)")
    try:
        if height:
            chrome = driver.execute_script("return Math.max(0, window.outerHeight - window.innerHeight)")
            driver.set_window_size(size["width"], max(size["height"], int(height) + int(chrome or 0)))
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(size["width"], size["height"])
    return path


def set_offline(driver, offline: bool = True):
    """Cut the browser off the network (or back on), as a phone in a village would be."""
    if hasattr(driver, "set_network_conditions"):
        driver.set_network_conditions(offline=offline, latency=5,
                                      download_throughput=500 * 1024, upload_throughput=500 * 1024)
    else:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": offline, "latency": 5, "downloadThroughput": 500 * 1024,
                                "uploadThroughput": 500 * 1024})


def wait_for(driver, css: str, timeout: float = 10, visible: bool = False):
    """The first element matching css, once present (or visible)."""
    condition = EC.visibility_of_element_located if visible else EC.presence_of_element_located
    try:
        return WebDriverWait(driver, timeout).until(condition((By.CSS_SELECTOR, css)))
    except TimeoutException:
        raise TimeoutException(f"no {css!r} within {timeout} s on {driver.current_url}") from None


def wait_for_download(directory, suffix: str = "", timeout: float = 15) -> Path:
    """The first finished file in directory ending with suffix (e.g. '.csv', '.xlsx')."""
    directory = Path(directory)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in directory.iterdir()
                if p.name.endswith(suffix) and not p.name.endswith((".crdownload", ".tmp"))]
        if done and not any(p.name.endswith(".crdownload") for p in directory.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise TimeoutError(f"no download{' ' + suffix if suffix else ''} in {directory} within {timeout} s: "
                       f"{sorted(p.name for p in directory.iterdir())}")


def _present(driver, css: str):
    try:
        return driver.find_element(By.CSS_SELECTOR, css)
    except NoSuchElementException:
        return None


def gone(element):
    """A wait condition: the element has left the document (its page was replaced).

    Selenium's staleness_of asks the element and expects StaleElementReferenceException; while the
    next page is loading, chromedriver sometimes answers "Node with given id does not belong to
    the document" instead, a plain WebDriverException. Both mean the element is gone."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except WebDriverException:  # StaleElementReferenceException is one of these
            return True
    return check


def _submit(driver, timeout: float):
    button = wait_for(driver, "button[type=submit]", timeout)
    button.click()
    try:
        WebDriverWait(driver, timeout).until(gone(button))
    except TimeoutException:
        pass  # the same page again (an error shown in place): the caller's assertions will say


def sign_in(driver, base: str, email: str, password: str, path: str = "/", timeout: float = 10):
    """On a page with #email (base+path, or the current page when path is None): fill #email and
    #password and submit."""
    if path is not None:
        driver.get(urllib.parse.urljoin(base + "/", path.lstrip("/")))
    wait_for(driver, "#email", timeout)
    field = driver.find_element(By.CSS_SELECTOR, "#email")
    field.clear()
    field.send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "#password").send_keys(password)
    _submit(driver, timeout)


def sign_in_with_link(driver, base: str, link: str, password: str, email: str | None = None,
                      timeout: float = 10):
    """Open the one-time /welcome/<token> link, choose the password (#password and
    #password_confirmation), submit; if the next page asks to sign in (#email), sign in.

    email defaults to what #email already holds; give it when the sign-in page starts empty.
    """
    url = link if link.startswith("http") else urllib.parse.urljoin(base + "/", link.lstrip("/"))
    driver.get(url)
    wait_for(driver, "#password", timeout).send_keys(password)
    confirmation = _present(driver, "#password_confirmation")
    if confirmation is not None:
        confirmation.send_keys(password)
    _submit(driver, timeout)
    email_field = _present(driver, "#email")
    if email_field is not None and _present(driver, "#password") is not None:
        the_email = email or email_field.get_attribute("value")
        if not the_email:
            raise AssertionError(f"{driver.current_url} asks for the email after the welcome link: "
                                 "pass email= to sign_in_with_link")
        sign_in(driver, base, the_email, password, path=None, timeout=timeout)
