"""The grant officer's dashboard: every chart and table, downloads as CSV and XLSX, and no
family member's name anywhere in it."""

import csv
import html
import io
import urllib.parse

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import wait_for, wait_for_download
from webapp import cookie_header, fetch_bytes, path_of, submit_form

FIGURES = ["par-chart", "flows-chart", "grants-chart", "bands-chart", "training-chart"]
TABLES = {"portfolio": "portfolio-table", "grants": "grants-table", "bands": "bands-table",
          "domains": "domains-table", "training": "training-table"}


def member_names(api, token):
    names, cursor = set(), None
    while True:
        path = "/api/v1/families?limit=500" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        page = api(token, "GET", path).json()
        for family in page["items"]:
            members = api(token, "GET", f"/api/v1/families/{family['id']}/members").json()["items"]
            names.update(m["full_name"] for m in members if m.get("full_name"))
        cursor = page.get("next_cursor")
        if not cursor:
            return names


def names_in(text, names):
    text = html.unescape(text)
    return sorted(n for n in names if n in text)


def xlsx_rows(data):
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [[c for c in row] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def check_dashboard(driver, names):
    for figure in FIGURES:
        assert driver.find_elements(By.CSS_SELECTOR, f"figure#{figure} svg"), f"no svg in figure#{figure}"
    for table in TABLES.values():
        rows = driver.find_elements(By.CSS_SELECTOR, f"table#{table} tbody tr")
        assert rows, f"table#{table} has no rows ({driver.current_url})"
    assert not names_in(driver.page_source, names), f"member names on {driver.current_url}"


def check_downloads(driver, names, cookie):
    for name in TABLES:
        for fmt in ("csv", "xlsx"):
            link = driver.find_element(By.CSS_SELECTOR, f"a[download][href*='/dashboard/download/{name}?format={fmt}']")
            status, headers, data = fetch_bytes(link.get_attribute("href"), cookie)
            assert status == 200, (name, fmt, status)
            if fmt == "csv":
                assert data.startswith(b"\xef\xbb\xbf"), f"{name}.csv does not start with the UTF-8 BOM: {data[:20]!r}"
                text = data.decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(text)))
                assert len(rows) >= 2, f"{name}.csv: {rows}"
                assert not names_in(text, names), f"member names in {name}.csv"
            else:
                rows = xlsx_rows(data)
                assert rows and all(v not in (None, "") for v in rows[0]), f"{name}.xlsx header: {rows[:1]}"
                text = "\n".join(str(v) for row in rows for v in row if v is not None)
                assert not names_in(text, names), f"member names in {name}.xlsx"


def test_dashboard_charts_tables_downloads_and_no_names(new_browser, ravnaq, api, accounts):
    names = member_names(api, ravnaq.token("admin"))
    assert len(names) > 50, names
    driver = new_browser()
    accounts.sign_in(driver, "grant_officer")
    assert path_of(driver) == "/dashboard"
    check_dashboard(driver, names)

    # Portfolio through the browser's own downloads: CSV and XLSX.
    for fmt in ("csv", "xlsx"):
        driver.find_element(By.CSS_SELECTOR, f"a[download][href*='/dashboard/download/portfolio?format={fmt}']").click()
        path = wait_for_download(driver.download_dir, "." + fmt)
        data = path.read_bytes()
        if fmt == "csv":
            assert data.startswith(b"\xef\xbb\xbf"), data[:20]
            header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert "PAR30" in header, header
        else:
            rows = xlsx_rows(data)
            assert "PAR30" in rows[0], rows[0]
            assert len(rows) >= 2
        path.unlink()

    cookie = cookie_header(driver)
    check_downloads(driver, names, cookie)

    # Filtered by a programme and a region.
    programme = Select(driver.find_element(By.CSS_SELECTOR, "#programme"))
    region = Select(driver.find_element(By.CSS_SELECTOR, "#region"))
    assert len(programme.options) > 1 and len(region.options) > 1
    chosen = (programme.options[1].get_attribute("value"), region.options[1].get_attribute("value"))
    programme.select_by_index(1)
    region.select_by_index(1)
    submit_form(driver, "form.filters")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query)
    assert (query.get("programme"), query.get("region")) == ([chosen[0]], [chosen[1]]), driver.current_url
    wait_for(driver, "section#portfolio")
    assert not names_in(driver.page_source, names)
    for figure in FIGURES:
        assert driver.find_elements(By.CSS_SELECTOR, f"figure#{figure} svg"), f"no svg in figure#{figure} (filtered)"
    href = driver.find_element(By.CSS_SELECTOR, "a[download][href*='/dashboard/download/portfolio?format=csv']").get_attribute("href")
    assert "programme=" in href and "region=" in href, href
    check_downloads_filtered = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[download]")]
    for url in check_downloads_filtered:
        status, _, data = fetch_bytes(url, cookie)
        assert status == 200, url
        text = data.decode("utf-8-sig") if "format=csv" in url else \
            "\n".join(str(v) for row in xlsx_rows(data) for v in row if v is not None)
        assert not names_in(text, names), url


def test_the_dashboard_is_for_grant_officers_only(new_browser, ravnaq, accounts):
    driver = new_browser()
    accounts.sign_in(driver, "aziza.rahimova@demo.ravnaq.example")
    driver.get(ravnaq.base + "/dashboard")
    assert not driver.find_elements(By.CSS_SELECTOR, "table#portfolio-table")
    status, _, _ = (None, None, None)
    try:
        status, _, _ = fetch_bytes(ravnaq.base + "/dashboard/download/portfolio?format=csv", cookie_header(driver))
    except Exception as error:  # urllib raises on 403
        status = getattr(error, "code", None)
    assert status == 403, status
