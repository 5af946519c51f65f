"""The admin status page and the licensing API's ping, mounted where
conf/portal.conf puts them."""

import re

import stack as stacklib
from conftest import text_of


def test_ping_reports_the_database_clock(http, base):
    r = http.get(base + "/api/license/v1/ping")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Cache-Control"] == "no-store"
    body = r.json()
    assert body["status"] == "ok" and body["api_version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["server_time"])


def test_admin_status_shows_database_and_schema(http, base):
    r = http.get(base + "/admin/")
    assert r.status_code == 200
    text = text_of(r.text)
    assert "15." in text, "the PostgreSQL version"
    n = stacklib.migration_files()[0]
    assert re.search(rf"Applied:? {n} .*Known:? {n} .*Pending:? 0", text), \
        "applied migrations out of the known ones"
    assert "Storage directory is writable OK" in text


def test_admin_without_slash_is_still_the_admin_area(http, base):
    r = http.get(base + "/admin", allow_redirects=False)
    assert r.status_code == 200
    assert "<title>System status" in r.text


def test_downloads_area_is_mounted_and_answers_html(http, base):
    r = http.get(base + "/downloads/anything")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")


def test_the_api_description_is_served_and_matches(http, base):
    import yaml
    r = http.get(base + "/static/openapi.yaml")
    assert r.status_code == 200
    spec = yaml.safe_load(r.text)
    ping = spec["paths"]["/v1/ping"]["get"]["responses"]["200"]
    required = ping["content"]["application/json"]["schema"]["required"]
    assert set(required) == set(http.get(base + "/api/license/v1/ping").json())
    codes = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert http.get(base + "/api/license/nope").json()["error"]["code"] in codes["code"]["enum"]
