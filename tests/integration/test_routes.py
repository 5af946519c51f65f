"""Every route of every area, with the permission it needs, as the module
itself lists them (`apache2 -t -D DUMP_PORTAL_ROUTES`). A new route fails
this test until it is given an expectation here, so no page becomes public
by accident; a route that names no permission gets its area's default,
which is never "public"."""

import os
import shutil

import pytest

import stack as stacklib

# (area, method, pattern) -> the permission the router enforces.
EXPECTED = {
    ("cabinet", "GET", "/"): "public",
    ("cabinet", "GET", "/features"): "public",
    ("cabinet", "GET", "/pricing"): "public",
    ("cabinet", "GET", "/security"): "public",
    ("cabinet", "GET", "/contact"): "public",
    ("cabinet", "POST", "/contact"): "public",
    ("cabinet", "GET", "/signin"): "guest",
    ("cabinet", "POST", "/signin"): "guest",
    # "self": reachable while the company requires two-step verification
    # the member has not turned on yet.
    ("cabinet", "POST", "/signout"): "self",
    ("cabinet", "GET", "/account/"): "member",
    ("cabinet", "GET", "/signup"): "guest",
    ("cabinet", "POST", "/signup"): "guest",
    ("cabinet", "GET", "/verify"): "member",
    ("cabinet", "POST", "/verify"): "member",
    ("cabinet", "POST", "/verify/resend"): "member",
    ("cabinet", "GET", "/forgot"): "guest",
    ("cabinet", "POST", "/forgot"): "guest",
    ("cabinet", "GET", "/reset"): "public",
    ("cabinet", "POST", "/reset"): "public",
    ("cabinet", "GET", "/signin/2fa"): "guest",
    ("cabinet", "POST", "/signin/2fa"): "guest",
    ("cabinet", "GET", "/account/security"): "self",
    ("cabinet", "POST", "/account/security/password"): "self",
    ("cabinet", "POST", "/account/security/sessions/{id}/signout"): "self",
    ("cabinet", "POST", "/account/security/sessions/signout-others"): "self",
    ("cabinet", "POST", "/account/security/require-2fa"): "self",
    ("cabinet", "POST", "/account/security/2fa"): "self",
    ("cabinet", "GET", "/account/security/2fa"): "self",
    ("cabinet", "POST", "/account/security/2fa/confirm"): "self",
    ("cabinet", "POST", "/account/security/2fa/disable"): "self",
    ("cabinet", "POST", "/account/security/2fa/recovery"): "self",
    ("cabinet", "GET", "/account/profile"): "member",
    ("cabinet", "POST", "/account/profile"): "member",
    ("cabinet", "GET", "/account/company"): "team.read",
    ("cabinet", "POST", "/account/company"): "company.manage",
    ("cabinet", "GET", "/account/team"): "team.read",
    ("cabinet", "POST", "/account/team/invite"): "team.manage",
    ("cabinet", "POST", "/account/team/members/{id}/role"): "team.manage",
    ("cabinet", "POST", "/account/team/members/{id}/remove"): "team.manage",
    ("cabinet", "POST", "/account/team/invitations/{id}/revoke"): "team.manage",
    ("cabinet", "POST", "/account/team/invitations/{id}/resend"): "team.manage",
    ("cabinet", "GET", "/account/companies"): "member",
    ("cabinet", "POST", "/account/switch"): "member",
    ("cabinet", "GET", "/invite/{token}"): "public",
    ("cabinet", "POST", "/invite/{token}"): "public",
    # Behind the <Location>'s `Require ip` only: versions and health.
    ("admin", "GET", "/"): "public",
    ("admin", "GET", "/signin"): "public",
    ("admin", "POST", "/signin"): "public",
    ("admin", "POST", "/signout"): "admin",
    ("admin", "GET", "/enrol/{token}"): "public",
    ("admin", "POST", "/enrol/{token}"): "public",
    ("admin", "GET", "/tenants"): "admin.tenants.read",
    ("admin", "POST", "/tenants"): "admin.tenants.manage",
    ("admin", "GET", "/tenants/{id}"): "admin.tenants.read",
    ("admin", "POST", "/tenants/{id}/status"): "admin.tenants.manage",
    ("admin", "GET", "/users/{id}"): "admin.tenants.read",
    ("admin", "POST", "/users/{id}/reset"): "admin.users.manage",
    ("admin", "POST", "/users/{id}/sessions"): "admin.users.manage",
    ("admin", "POST", "/users/{id}/totp"): "admin.users.manage",
    ("admin", "GET", "/admins"): "admin.admins.manage",
    ("admin", "POST", "/admins"): "admin.admins.manage",
    ("admin", "POST", "/admins/{id}"): "admin.admins.manage",
    ("admin", "GET", "/audit"): "admin.audit.read",
    ("admin", "GET", "/outbox"): "admin.outbox.read",
    ("licensing", "GET", "/v1/ping"): "public",
}


@pytest.fixture(scope="module")
def routes(portal_routes):
    return portal_routes


def test_no_area_is_public_by_default(routes):
    defaults = {k[0]: v for k, v in routes.items() if k[1] == "DEFAULT"}
    assert set(defaults) == {"cabinet", "admin", "downloads", "webhooks", "licensing"}
    assert "public" not in defaults.values(), defaults


def test_the_module_lists_its_routes(routes):
    assert len([k for k in routes if k[1] != "DEFAULT"]) >= len(EXPECTED)


def test_every_route_has_an_expectation(routes):
    missing = sorted(k for k in set(routes) - set(EXPECTED) if k[1] != "DEFAULT")
    assert not missing, f"routes without an expected permission in test_routes.py: {missing}"
    gone = sorted(set(EXPECTED) - set(routes))
    assert not gone, f"expected routes the module no longer has: {gone}"


def test_every_route_needs_what_is_expected(routes):
    wrong = {k: (routes[k], v) for k, v in EXPECTED.items() if routes.get(k, v) != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_a_shipped_configuration_does_not_print_routes_unasked(stack):
    node = stacklib.Apache(stack.state, f"routes-quiet-{os.getpid()}", stacklib.free_port(),
                           stack.pg.port)
    node.write_config()
    try:
        r = node.configtest()
    finally:
        shutil.rmtree(node.dir, ignore_errors=True)
    assert r.returncode == 0 and r.stdout == ""
