"""Every route of every area, with the permission it needs, as the module
itself lists them (`apache2 -t -D DUMP_PORTAL_ROUTES`). A new route fails
this test until it is given an expectation here, so no page becomes public
by accident; a route that names no permission gets its area's default,
which is never "public"."""

import os
import shutil
import subprocess

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
    ("cabinet", "POST", "/signout"): "member",
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
def routes(stack):
    node = stacklib.Apache(stack.state, f"routes-{os.getpid()}", stacklib.free_port(),
                           stack.pg.port)
    node.write_config()
    try:
        r = subprocess.run(["apache2", "-f", node.conf, "-t", "-D", "DUMP_PORTAL_ROUTES"],
                           capture_output=True, text=True, env=stacklib.apache_env())
    finally:
        shutil.rmtree(node.dir, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    found = {}
    for line in r.stdout.splitlines():
        area, method, pattern, perm = line.split(" ")
        found[(area, method, pattern)] = perm
    return found


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
