"""The page's language: the visitor's choice (?lang=, then its cookie), then
the browser's Accept-Language, then PortalDefaultLocale."""

import re

import pytest
import requests


def lang_of(r):
    return re.search(r'<html[^>]* lang="([a-z]+)"', r.text).group(1)


@pytest.mark.parametrize("header,expected", [
    ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
    ("de-DE,de;q=0.9,tr;q=0.5", "tr"),
    ("az", "az"),
    ("fr, de;q=0.5", "en"),
    ("", "en"),
])
def test_accept_language(base, header, expected):
    r = requests.get(base + "/features", headers={"Accept-Language": header})
    assert r.status_code == 200 and lang_of(r) == expected
    assert "Accept-Language" in r.headers["Vary"]


def test_a_choice_sticks_and_beats_the_browser(base):
    with requests.Session() as s:
        s.headers["Accept-Language"] = "ru"
        r = s.get(base + "/pricing?lang=az")
        assert lang_of(r) == "az"
        cookie = r.headers["Set-Cookie"]
        assert "portal_lang=az" in cookie and "Max-Age=31536000" in cookie
        assert lang_of(s.get(base + "/security")) == "az"
        assert lang_of(s.get(base + "/security?lang=tr")) == "tr"
        assert lang_of(s.get(base + "/")) == "tr"


def test_an_unknown_choice_falls_back(base):
    r = requests.get(base + "/?lang=xx", headers={"Accept-Language": "ru"})
    assert r.status_code == 200 and lang_of(r) == "ru"
    assert "portal_lang" not in r.headers.get("Set-Cookie", "")


def test_the_switcher_keeps_the_rest_of_the_address(base):
    html = requests.get(base + "/contact?topic=billing&lang=en").text
    assert 'href="/contact?topic=billing&amp;lang=tr"' in html


def test_json_errors_follow_the_language_too(base):
    en = requests.get(base + "/api/license/none").json()["error"]["message"]
    ru = requests.get(base + "/api/license/none", headers={"Accept-Language": "ru"}).json()
    assert ru["error"]["code"] == "not_found" and ru["error"]["message"] != en
