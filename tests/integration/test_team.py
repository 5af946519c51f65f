"""The team (/account/team): every member sees it, only owners and admins
change it; admins never touch owners; the last owner can be neither
removed nor demoted, also by two demotions at once; every change audited
with the before and the after and mailed to the member concerned; a
removed member's sessions end; ids of another company answer 404 and
change nothing."""

import threading

import pytest
import requests

from conftest import csrf_of, text_of
from team_flow import (ALL, accept_new, address, audit, company, invitation_link, invite, member,
                       post, role_of, tenant_of, user_id)
from test_signin import signin


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signup.%' OR bucket LIKE 'team.%'"
                  " OR bucket LIKE 'invite.%' OR bucket LIKE 'signin.%'")


def members_count(owner_db, tenant):
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT count(*) FROM tenant_members WHERE tenant_id = %s", (tenant,))
        return c.fetchone()[0]


def test_every_member_sees_the_team_and_only_managers_change_it(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    viewer, viewer_email = member(base, owner, mailbox, "viewer")
    plain, plain_email = member(base, owner, mailbox, "member")
    page = viewer.get(base + "/account/team")
    assert page.status_code == 200
    text = text_of(page.text)
    assert data["email"] in text and viewer_email in text and plain_email in text
    assert "Send invitation" not in text and 'name="role"' not in page.text
    target = user_id(owner_db, plain_email)
    for s in (viewer, plain):
        for path, fields in [("/account/team/invite", {"email": address(), "role": "viewer"}),
                             (f"/account/team/members/{target}/role", {"role": "admin"}),
                             (f"/account/team/members/{target}/remove", {})]:
            r = post(s, base, path, **fields)
            assert r.status_code == 403, path
            assert "You do not have access to this page" in text_of(r.text)
    assert role_of(owner_db, tenant, plain_email) == "member"
    assert members_count(owner_db, tenant) == 3


def test_an_admin_manages_admins_members_and_viewers_but_not_owners(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    admin, admin_email = member(base, owner, mailbox, "admin")
    invited = address("by-admin")
    assert invite(admin, base, invited, "member").status_code == 303
    invitation_link(mailbox, invited)
    r = invite(admin, base, address(), "owner")
    assert r.status_code == 403 and "Only an owner can do this" in text_of(r.text)
    owner_id = user_id(owner_db, data["email"])
    r = post(admin, base, f"/account/team/members/{owner_id}/role", role="viewer")
    assert r.status_code == 403 and "Only an owner can do this" in text_of(r.text)
    r = post(admin, base, f"/account/team/members/{owner_id}/remove")
    assert r.status_code == 403
    assert role_of(owner_db, tenant, data["email"]) == "owner"
    viewer, viewer_email = member(base, owner, mailbox, "viewer")
    r = post(admin, base, f"/account/team/members/{user_id(owner_db, viewer_email)}/role",
             role="member")
    assert r.status_code == 303 and r.headers["Location"] == "/account/team?done=role_changed"
    assert role_of(owner_db, tenant, viewer_email) == "member"
    r = post(admin, base, f"/account/team/members/{user_id(owner_db, viewer_email)}/role",
             role="owner")
    assert r.status_code == 403 and role_of(owner_db, tenant, viewer_email) == "member"


def test_the_last_owner_can_be_neither_demoted_nor_removed(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    me = user_id(owner_db, data["email"])
    r = post(owner, base, f"/account/team/members/{me}/role", role="admin")
    assert r.status_code == 409
    assert "The company needs at least one owner" in text_of(r.text)
    assert role_of(owner_db, tenant, data["email"]) == "owner"
    admin, admin_email = member(base, owner, mailbox, "admin")
    r = post(owner, base, f"/account/team/members/{me}/remove")
    assert r.status_code == 409 and "cannot remove yourself" in text_of(r.text)
    assert role_of(owner_db, tenant, data["email"]) == "owner"


def test_two_owners_demoting_each_other_at_once_leave_one_owner(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    second, second_email = member(base, owner, mailbox, "owner")
    ids = {data["email"]: user_id(owner_db, data["email"]),
           second_email: user_id(owner_db, second_email)}
    # Each demotes the other, both posts prepared first and sent together.
    jobs = [(owner, ids[second_email]), (second, ids[data["email"]])]
    tokens = [csrf_of(s.get(base + "/account/team").text) for s, _ in jobs]
    results = [None, None]
    start = threading.Barrier(2)

    def run(i):
        s, target = jobs[i]
        start.wait()
        results[i] = s.post(f"{base}/account/team/members/{target}/role",
                            data={"csrf": tokens[i], "role": "member"}, allow_redirects=False)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The loser is refused either by the router (its session already shows
    # the demotion: 403) or under the lock (the other is the last owner
    # now: 409); never may both pass.
    codes = sorted(r.status_code for r in results)
    assert codes in ([303, 403], [303, 409]), codes
    roles = [role_of(owner_db, tenant, e) for e in ids]
    assert sorted(roles) == ["member", "owner"]


def test_a_role_change_is_audited_and_mailed_in_the_members_language(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    s, email = member(base, owner, mailbox, "viewer")
    post(s, base, "/account/profile", page="/account/profile", name="Rəşad Nəbiyev", phone="",
         locale="az", time_zone="Asia/Baku")
    target = user_id(owner_db, email)
    r = post(owner, base, f"/account/team/members/{target}/role", role="admin")
    assert r.status_code == 303
    assert "The role is changed" in text_of(owner.get(base + r.headers["Location"]).text)
    got = mailbox.wait_for(email, count=2)
    msg = got[-1]["message"]
    assert "rolunuz dəyişdi" in str(msg["Subject"])
    body = msg.get_body(("plain",)).get_content()
    assert "İndiki rolunuz: Admin" in body and data["company"] in body
    (detail,) = audit(owner_db, "team.member.role_changed", tenant)
    assert detail == {"member": target, "email": email, "before": {"role": "viewer"},
                      "after": {"role": "admin"}}
    assert "Send invitation" in text_of(s.get(base + "/account/team").text), \
        "the new admin manages the team at once"


def test_removing_a_member_ends_their_sessions_here_and_tells_them(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    s, email = member(base, owner, mailbox, "member")
    assert s.get(base + "/account/", allow_redirects=False).status_code == 200
    target = user_id(owner_db, email)
    r = post(owner, base, f"/account/team/members/{target}/remove")
    assert r.status_code == 303
    assert s.get(base + "/account/", allow_redirects=False).status_code == 303, "signed out"
    assert role_of(owner_db, tenant, email) is None
    assert email not in text_of(owner.get(base + "/account/team").text)
    got = mailbox.wait_for(email, count=2)
    assert "you were removed from" in str(got[-1]["message"]["Subject"])
    (detail,) = audit(owner_db, "team.member.removed", tenant)
    assert detail["before"] == {"role": "member"} and detail["after"] is None
    assert signin(requests.Session(), base, email, "amber-harbour-window-58").status_code == 403, \
        "no company left to sign in to"


def test_revoked_and_resent_invitations(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    email = address("later")
    assert invite(owner, base, email, "viewer").status_code == 303
    first, _ = invitation_link(mailbox, email)
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT id::text FROM invitations WHERE email = %s", (email,))
        (inv,) = c.fetchone()
    r = post(owner, base, f"/account/team/invitations/{inv}/resend")
    assert r.status_code == 303
    second, _ = invitation_link(mailbox, email, count=2)
    assert first != second
    gone = requests.get(f"{base}/invite/{first}")
    assert gone.status_code == 410 and "withdrawn" in text_of(gone.text)
    assert requests.get(f"{base}/invite/{second}").status_code == 200
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT id::text FROM invitations WHERE email = %s AND revoked_at IS NULL",
                  (email,))
        (inv2,) = c.fetchone()
    r = post(owner, base, f"/account/team/invitations/{inv2}/revoke")
    assert r.status_code == 303
    assert "No invitations are waiting." in text_of(owner.get(base + "/account/team").text)
    assert requests.get(f"{base}/invite/{second}").status_code == 410
    assert [d["after"]["state"] for d in audit(owner_db, "team.invitation.revoked", tenant)] \
        == ["revoked"]
    assert len(audit(owner_db, "team.invitation.resent", tenant)) == 1
    (invited,) = audit(owner_db, "team.member.invited", tenant)
    assert invited["before"] is None and invited["after"] == {"email": email, "role": "viewer"}


def test_an_invitation_is_checked_before_anything_is_sent(base, owner_db, mailbox):
    owner, data = company(base)
    r = invite(owner, base, "not-an-address", "member")
    assert r.status_code == 400 and "Enter a valid e-mail address." in text_of(r.text)
    r = invite(owner, base, address(), "chief")
    assert r.status_code == 400 and "Choose one of the roles offered." in text_of(r.text)
    r = invite(owner, base, data["email"].upper(), "member")
    assert r.status_code == 409 and "already a member" in text_of(r.text)
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT count(*) FROM invitations WHERE tenant_id = %s",
                  (tenant_of(owner_db, data["email"]),))
        assert c.fetchone()[0] == 0


def test_ids_of_another_company_answer_404_and_change_nothing(base, owner_db, mailbox):
    mine, my_data = company(base)
    theirs, their_data = company(base)
    their_tenant = tenant_of(owner_db, their_data["email"])
    _, their_member = member(base, theirs, mailbox, "member")
    their_inv_email = address("theirs")
    assert invite(theirs, base, their_inv_email, "viewer").status_code == 303
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT id::text FROM invitations WHERE email = %s", (their_inv_email,))
        (their_inv,) = c.fetchone()
    their_member_id = user_id(owner_db, their_member)
    their_owner_id = user_id(owner_db, their_data["email"])
    for path, fields in [
            (f"/account/team/members/{their_member_id}/role", {"role": "viewer"}),
            (f"/account/team/members/{their_owner_id}/role", {"role": "member"}),
            (f"/account/team/members/{their_member_id}/remove", {}),
            (f"/account/team/invitations/{their_inv}/revoke", {}),
            (f"/account/team/invitations/{their_inv}/resend", {}),
            ("/account/team/members/not-a-uuid/remove", {}),
            ("/account/team/invitations/00000000-0000-4000-8000-000000000000/revoke", {})]:
        r = post(mine, base, path, **fields)
        assert r.status_code == 404, (path, r.status_code)
    r = post(mine, base, "/account/switch", page="/account/companies", tenant=their_tenant)
    assert r.status_code == 404
    assert role_of(owner_db, their_tenant, their_member) == "member"
    assert role_of(owner_db, their_tenant, their_data["email"]) == "owner"
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT revoked_at IS NULL, (SELECT count(*) FROM invitations"
                  " WHERE email = %s) FROM invitations WHERE id = %s", (their_inv_email, their_inv))
        assert c.fetchone() == (True, 1)
    assert len(mailbox.to(their_inv_email)) == 1 or mailbox.wait_for(their_inv_email)
