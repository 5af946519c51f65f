"""Every route of every area against the permission matrix, for every kind
of visitor: signed out, each customer role, and each admin role. What a route needs comes from the module itself (`apache2 -t -D
DUMP_PORTAL_ROUTES`, pinned by test_routes.py) and what a role holds from
conf/roles.json, so a new route or a changed role is checked without a new
line here. The router decides before the route runs and before a form's
body is read: an unsafe request is sent without a CSRF token, so a visitor
who may use the route gets "this form has expired" and nothing changes,
and one who may not gets the sign-in page, the 403 page or the dashboard."""

import json
import os
import re
import uuid

import pytest
import requests

from conftest import ROOT, text_of
from test_admin_signin import new_admin

MOUNTS = {"cabinet": "", "admin": "/admin", "downloads": "/downloads",
          "webhooks": "/webhooks", "licensing": "/api/license"}
CUSTOMER_ROLES = ("owner", "admin", "member", "viewer")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

with open(os.path.join(ROOT, "conf", "roles.json"), encoding="utf-8") as f:
    ROLES = json.load(f)


def expected(perm, who):
    """What the router does with this visitor: "allowed", "signin",
    "admin_signin", "dashboard" (guest pages for the signed in), "forbidden"
    or "unauthorized" (JSON areas)."""
    kind, role = who
    if perm == "public":
        return "allowed"
    if perm == "none":
        return "forbidden"
    if perm == "guest":
        return "dashboard" if kind == "customer" else "allowed"
    if perm == "admin" or perm.startswith("admin."):
        # The admin area reads only the admin cookie: a customer is a
        # stranger there, sent to the admin sign-in like anyone else.
        if kind != "admin":
            return "admin_signin"
        return "allowed" if perm == "admin" or perm in ROLES["admin_roles"][role] else "forbidden"
    if kind != "customer":
        return "signin"
    if perm in ("member", "self"):
        return "allowed"
    return "allowed" if perm in ROLES["customer_roles"][role] else "forbidden"


def observed(r, area):
    if r.status_code in (301, 302, 303, 307):
        # The router sends a stranger to sign in with ?next= (back to this
        # page); a route's own redirect to a bare /signin (the second step
        # with no first) is the route answering.
        where = r.headers["Location"]
        if re.search(r"/admin/signin\?next=", where):
            return "admin_signin"
        if re.search(r"/signin\?next=", where):
            return "signin"
        if where.endswith("/account/"):
            return "dashboard"
        return "allowed"
    if r.status_code == 401:
        return "unauthorized"
    if r.status_code == 403:
        body = r.text
        if r.headers.get("Content-Type", "").startswith("application/json"):
            return "forbidden" if json.loads(body)["error"]["code"] == "forbidden" else "allowed"
        page = text_of(body)
        if "You do not have access to this page" in page:
            return "forbidden"
        assert "This form has expired" in page, page[:300]
        return "allowed"
    return "allowed"


def concrete(pattern):
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()), pattern)


@pytest.fixture(scope="module")
def visitors(stack, node, owner_db):
    """A signed-in browser session for each customer role of one company
    (the demo owner's), for each admin role, and a signed-out one. Extra
    members share the demo member's password hash, so they sign in with its
    password; admins are made and enrolled with portalctl create-admin."""
    demo = stack.demo
    with owner_db.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        c.execute("SELECT tenant_id, password_hash FROM users u JOIN tenant_members m "
                  "ON m.user_id = u.id WHERE u.email = %s", (demo["member"]["email"],))
        tenant_id, pw_hash = c.fetchone()
        made = {}
        for role in ("admin", "viewer"):
            email = f"matrix-{role}-{uuid.uuid4().hex[:8]}@xezer.example"
            c.execute("INSERT INTO users (email, password_hash, email_verified_at) "
                      "VALUES (%s, %s, now()) RETURNING id", (email, pw_hash))
            uid = c.fetchone()[0]
            c.execute("INSERT INTO tenant_members (tenant_id, user_id, role) VALUES (%s, %s, %s)",
                      (tenant_id, uid, role))
            made[role] = email
        c.execute("SELECT set_config('portal.all_tenants', '', false)")
    accounts = {"owner": (demo["customer"]["email"], demo["customer"]["password"]),
                "member": (demo["member"]["email"], demo["member"]["password"]),
                "admin": (made["admin"], demo["member"]["password"]),
                "viewer": (made["viewer"], demo["member"]["password"])}
    out = {("anonymous", None): requests.Session()}
    for role, (email, password) in accounts.items():
        s = requests.Session()
        with owner_db.cursor() as c:
            c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%'")
        page = s.get(node.url + "/signin")
        csrf = re.search(r'name="csrf"\s+value="([^"]+)"', page.text).group(1)
        r = s.post(node.url + "/signin", data={"csrf": csrf, "email": email,
                                               "password": password}, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].endswith("/account/"), \
            (role, r.status_code, text_of(r.text)[:200])
        out[("customer", role)] = s
    for role in ROLES["admin_roles"]:
        out[("admin", role)] = new_admin(stack, role)[0]
    for s in out.values():
        s.headers["Accept-Language"] = "en"
    yield out
    for s in out.values():
        s.close()


def test_every_route_answers_each_visitor_as_the_matrix_says(portal_routes, visitors, node):
    routes = {k: v for k, v in portal_routes.items() if k[1] != "DEFAULT"}
    assert len(routes) > 20
    wrong = []
    for (area, method, pattern), perm in sorted(routes.items()):
        url = node.url + MOUNTS[area] + concrete(pattern)
        for who, s in visitors.items():
            r = s.request(method, url, allow_redirects=False,
                          data={"probe": "1"} if method in UNSAFE else None)
            want, got = expected(perm, who), observed(r, area)
            if area in ("licensing", "webhooks") and want in ("signin", "admin_signin"):
                want = "unauthorized"
            if want != got:
                wrong.append(f"{method} {MOUNTS[area]}{pattern} [{perm}] as {who}: "
                             f"expected {want}, got {got} ({r.status_code})")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_itself_tells_roles_apart():
    """The expectations are not all "allowed": the matrix refuses something
    to members and viewers, and to admins who are not super."""
    for role in ("member", "viewer"):
        assert expected("team.manage", ("customer", role)) == "forbidden"
    assert expected("team.manage", ("customer", "owner")) == "allowed"
    assert expected("member", ("anonymous", None)) == "signin"
    assert expected("admin.admins.manage", ("admin", "support")) == "forbidden"
    assert expected("admin.admins.manage", ("customer", "owner")) == "admin_signin"
    assert expected("member", ("admin", "super")) == "signin"
