"""Areas hang where the Apache configuration mounts them: the cabinet moved
to /portal, a nested <Location> that only sets a limit, an admin allowlist
that excludes the visitor, and PortalStaticURL left at its default."""

import re

import pytest
import requests

import stack as stacklib
from conftest import csrf_of, text_of


def moved(text):
    text = text.replace("<Location />\n    SetHandler portal-cabinet",
                        "<Location /portal>\n    SetHandler portal-cabinet")
    text = text.replace("Require ip 127.0.0.1 ::1", "Require ip 192.0.2.1")
    text = re.sub(r"(?m)^PortalStaticURL .*\n", "", text)
    return text


NESTED = """
<Location /portal/contact>
    LimitRequestBody 4000
</Location>
<Location "/kabinet ü">
    SetHandler portal-cabinet
    Require all granted
</Location>
"""


@pytest.fixture(scope="module")
def node(stack):
    n = stack.add_node("moved", edit=moved, overrides=NESTED, htdocs=stack.nodes[0].htdocs)
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_the_cabinet_answers_under_its_mount(node):
    r = requests.get(node.url + "/portal/pricing")
    assert r.status_code == 200
    assert "$499.00" in text_of(r.text)
    assert 'href="/portal/pricing"' in r.text and 'href="/portal/contact' in r.text
    assert requests.get(node.url + "/portal").status_code == 200
    assert requests.get(node.url + "/portal/").status_code == 200
    assert requests.get(node.url + "/pricing").status_code != 200, "nothing is mounted there"


def test_static_url_defaults_to_static(node):
    html = requests.get(node.url + "/portal/").text
    assert 'href="/static/css/portal.css"' in html
    assert requests.get(node.url + "/static/css/portal.css").status_code == 200


def test_a_nested_location_keeps_the_route_and_its_limit(node):
    with requests.Session() as s:
        page = s.get(node.url + "/portal/contact")
        assert page.status_code == 200 and 'action="/portal/contact"' in page.text
        token = csrf_of(page.text)
        ok = s.post(node.url + "/portal/contact", allow_redirects=False, data={
            "csrf": token, "name": "Leyla", "email": "leyla@example.az", "topic": "sales",
            "message": "Mounted elsewhere, still works."})
        assert ok.status_code == 303
        assert ok.headers["Location"] == "/portal/contact?sent=1"
        big = s.post(node.url + "/portal/contact", data={
            "csrf": token, "name": "Leyla", "email": "leyla@example.az", "topic": "sales",
            "message": "x" * 5000})
        assert big.status_code == 413, "Apache's LimitRequestBody is a 413 too"


def test_a_visitor_outside_the_allowlist_is_refused_with_the_headers(node):
    r = requests.get(node.url + "/admin/")
    assert r.status_code == 403
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_the_trailing_slash_redirect_keeps_an_escaped_path(node):
    """The redirect writes r->uri (decoded) back into Location: a space, a
    non-ASCII letter or a %3F in the path must stay escaped."""
    r = requests.get(node.url + "/kabinet%20%C3%BC/pricing/?x=%3F", allow_redirects=False)
    assert r.status_code == 301
    assert r.headers["Location"].encode("latin-1") == b"/kabinet%20%C3%BC/pricing?x=%3F"
    followed = requests.get(node.url + "/kabinet%20%C3%BC/pricing/")
    assert followed.status_code == 200 and "$499.00" in text_of(followed.text)


def test_links_and_redirects_of_an_odd_mount_are_escaped(node):
    with requests.Session() as s:
        page = s.get(node.url + "/kabinet%20%C3%BC/contact")
        assert page.status_code == 200
        assert 'href="/kabinet%20%C3%BC/pricing"' in page.text
        assert 'action="/kabinet%20%C3%BC/contact"' in page.text
        sent = s.post(node.url + "/kabinet%20%C3%BC/contact", allow_redirects=False, data={
            "csrf": csrf_of(page.text), "name": "Leyla", "email": "leyla@example.az",
            "topic": "sales", "message": "Mounted at an odd path, still works."})
        assert sent.status_code == 303
        assert sent.headers["Location"].encode("latin-1") == b"/kabinet%20%C3%BC/contact?sent=1"
