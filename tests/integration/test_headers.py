"""Security headers on every answer: pages, errors, JSON, static files."""

import pytest
import requests

PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def assert_secure(r, json=False):
    for k, v in PAGE_HEADERS.items():
        assert r.headers.get(k) == v, (r.url, k)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    if json:
        assert "default-src 'none'" in csp
    else:
        assert "default-src 'self'" in csp and "script-src 'self'" in csp


@pytest.mark.parametrize("path", ["/", "/features", "/pricing", "/security", "/contact",
                                  "/missing", "/admin/"])
def test_html_answers_carry_the_headers(http, base, path):
    r = http.get(base + path)
    assert r.status_code in (200, 404)
    assert_secure(r)
    assert r.headers["X-Request-Id"]


def test_405_carries_the_headers(http, base):
    assert_secure(http.post(base + "/pricing"))


@pytest.mark.parametrize("path", ["/api/license/v1/ping", "/api/license/v1/none",
                                  "/webhooks/x"])
def test_json_answers_carry_the_headers(http, base, path):
    assert_secure(http.get(base + path), json=True)


def test_static_files_carry_the_headers(http, base):
    r = http.get(base + "/static/css/portal.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
    assert_secure(r)


def test_pages_link_no_outside_origin(http, base):
    html = http.get(base + "/").text
    for marker in ("http://", "https://", "//fonts.", "//cdn"):
        assert marker not in html.replace(base, ""), marker
    assert "<script>" not in html and "style=" not in html and " onclick=" not in html


def test_request_id_is_in_the_log(http, base, node):
    r = http.get(base + "/definitely-missing-page")
    rid = r.headers["X-Request-Id"]
    with open(node.dir + "/logs/access.log") as f:
        assert rid in f.read()


@pytest.fixture(scope="module")
def cdn_node(stack):
    n = stack.add_node("cdn", htdocs=stack.nodes[0].htdocs,
                       overrides="PortalStaticURL https://cdn.example.com/portal-assets/\n")
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_an_absolute_static_url_is_allowed_by_the_policy(cdn_node):
    """Pages load their stylesheet from PortalStaticURL; a CDN's origin must
    be in the CSP or every page loses its CSS."""
    r = requests.get(cdn_node.url + "/pricing")
    assert r.status_code == 200
    assert 'href="https://cdn.example.com/portal-assets/css/portal.css"' in r.text
    csp = r.headers["Content-Security-Policy"]
    for directive in ("style-src", "script-src", "img-src", "font-src"):
        sources = next(d for d in csp.split(";") if d.strip().startswith(directive + " "))
        assert "'self' https://cdn.example.com" in sources, directive
    assert "connect-src 'self';" in csp, "only assets come from the CDN"
    json_csp = requests.get(cdn_node.url + "/api/license/v1/ping").headers
    assert json_csp["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
