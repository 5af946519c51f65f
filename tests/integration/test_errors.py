"""Bad input of every kind gets a clear answer with the right status, and
changes nothing."""

import socket

from conftest import csrf_of, text_of


def test_unknown_page_is_a_translated_404_page_with_the_request_id(http, base):
    r = http.get(base + "/no-such-page", headers={"Accept-Language": "ru"})
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    rid = r.headers["X-Request-Id"]
    assert rid and rid in r.text, "the page shows the id support can look up"
    assert 'lang="ru"' in r.text
    assert "404" in text_of(r.text)


def test_json_areas_answer_errors_in_json(http, base):
    for path in ("/api/license/v1/nothing", "/webhooks/unknown-provider"):
        r = http.get(base + path)
        assert r.status_code == 404
        assert r.headers["Content-Type"] == "application/json"
        err = r.json()["error"]
        assert err["code"] == "not_found"
        assert err["message"] and err["request_id"] == r.headers["X-Request-Id"]


def test_wrong_method_is_405_with_allow(http, base):
    r = http.delete(base + "/pricing")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    r = http.put(base + "/contact", data="x")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    r = http.post(base + "/api/license/v1/ping", json={})
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_options_lists_the_methods(http, base):
    r = http.options(base + "/contact")
    assert r.status_code == 204
    assert r.headers["Allow"] == "GET, HEAD, POST, OPTIONS"


def test_trailing_slash_redirects_to_the_canonical_page(http, base):
    r = http.get(base + "/pricing/?lang=tr", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"] == "/pricing?lang=tr"


def test_head_answers_without_a_body(http, base):
    r = http.head(base + "/pricing")
    assert r.status_code == 200 and r.content == b""


def contact_form(http, base):
    page = http.get(base + "/contact")
    assert page.status_code == 200
    return csrf_of(page.text)


def test_oversized_form_is_413_and_nothing_is_stored(http, base, owner_db):
    token = contact_form(http, base)
    before = count(owner_db)
    r = http.post(base + "/contact", data={"csrf": token, "name": "A", "email": "a@b.co",
                                           "topic": "sales", "message": "x" * 70000})
    assert r.status_code == 413
    assert "413" in text_of(r.text)
    assert count(owner_db) == before


def test_malformed_percent_encoding_is_400(http, base):
    token = contact_form(http, base)
    r = http.post(base + "/contact", data=f"csrf={token}&name=%ZZ",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400


def test_bad_utf8_is_refused_everywhere(http, base, owner_db):
    token = contact_form(http, base)
    before = count(owner_db)
    r = http.post(base + "/contact", data=f"csrf={token}&name=%C3%28&email=a%40b.co"
                  "&topic=sales&message=0123456789ab",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert count(owner_db) == before
    assert http.get(base + "/pricing?lang=%FF").status_code == 400
    assert http.get(base + "/pric%FFing").status_code == 400
    r = http.get(base + "/api/license/v1/%C0%AF")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_utf8"


def test_unsupported_body_type_is_415(http, base):
    token = contact_form(http, base)
    r = http.post(base + "/contact?csrf=" + token, data="hello",
                  headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_headers_too_large_are_refused_by_apache(base):
    host, port = base[len("http://"):].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        answer = s.recv(200)
    assert answer.startswith(b"HTTP/1.1 400")


def test_the_server_still_answers_after_all_of_that(http, base):
    assert http.get(base + "/").status_code == 200


def count(db):
    with db.cursor() as c:
        c.execute("SELECT count(*) FROM contact_messages")
        return c.fetchone()[0]
