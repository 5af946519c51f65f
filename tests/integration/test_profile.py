"""The profile (/account/profile) and the company profile (/account/company):
saved with a confirmation, the language switching at once, a time zone
PostgreSQL knows, a VÖEN checked by its rule, every refusal a translated
message that changes nothing, every change audited with the before and
the after; members see the company read-only and cannot change it."""

import pytest

from conftest import csrf_of, text_of
from team_flow import ALL, audit, company, member, post, tenant_of, user_id


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signup.%' OR bucket LIKE 'team.%'"
                  " OR bucket LIKE 'invite.%'")


def profile_row(owner_db, email):
    with owner_db.cursor() as c:
        c.execute("SELECT name, phone, locale, time_zone FROM users WHERE email = %s", (email,))
        return c.fetchone()


def test_the_profile_is_saved_audited_and_the_language_switches(base, owner_db):
    s, data = company(base)
    page = s.get(base + "/account/profile")
    assert page.status_code == 200
    assert data["email"] in page.text and 'value="Asia/Baku"' in page.text
    r = s.post(base + "/account/profile", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "  Aysel Məmmədova ", "phone": "+994 50 555 01 01",
        "locale": "az", "time_zone": "Asia/Baku"})
    assert r.status_code == 303 and r.headers["Location"] == "/account/profile?saved=1&lang=az"
    shown = s.get(base + r.headers["Location"])
    assert "Profiliniz yadda saxlanıldı." in text_of(shown.text)
    assert '<html lang="az"' in shown.text
    assert 'value="Aysel Məmmədova"' in shown.text
    assert "Aysel Məmmədova" in text_of(s.get(base + "/account/").text), "the menu names the new name"
    assert profile_row(owner_db, data["email"]) == ("Aysel Məmmədova", "+994 50 555 01 01", "az",
                                                    "Asia/Baku")
    (detail,) = audit(owner_db, "user.profile.updated", tenant_of(owner_db, data["email"]))
    assert detail["before"] == {"name": data["name"], "phone": data["phone"], "locale": "en",
                                "time_zone": "UTC"}
    assert detail["after"]["name"] == "Aysel Məmmədova" and detail["after"]["locale"] == "az"


@pytest.mark.parametrize("field,value,message", [
    ("time_zone", "Mars/Olympus_Mons", "Choose a time zone from the list"),
    ("time_zone", "../../etc/passwd", "Choose a time zone from the list"),
    ("locale", "de", "Choose one of the languages offered"),
    ("name", "", "Enter your name"),
    ("name", "x" * 121, "Enter your name"),
    ("phone", "call me maybe", "Enter a phone number"),
])
def test_a_bad_profile_field_is_explained_and_changes_nothing(base, owner_db, field, value,
                                                             message):
    s, data = company(base)
    before = profile_row(owner_db, data["email"])
    fields = {"name": "Kamran Əliyev", "phone": "", "locale": "en", "time_zone": "Europe/Istanbul"}
    fields[field] = value
    r = post(s, base, "/account/profile", page="/account/profile", **fields)
    assert r.status_code == 400
    assert message in text_of(r.text)
    assert profile_row(owner_db, data["email"]) == before


def test_a_profile_post_without_its_token_is_refused(base, owner_db):
    s, data = company(base)
    r = s.post(base + "/account/profile", data={"name": "X", "locale": "en", "time_zone": "UTC"})
    assert r.status_code == 403
    assert profile_row(owner_db, data["email"])[0] == data["name"]


def company_row(owner_db, tenant):
    with owner_db.cursor() as c:
        c.execute(ALL + "SELECT name, tax_id, country, city, phone FROM tenants WHERE id = %s", (tenant,))
        return c.fetchone()


def test_the_owner_edits_the_company_with_a_voen_checked(base, owner_db):
    s, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    before = company_row(owner_db, tenant)
    bad = post(s, base, "/account/company", page="/account/company", name="Xəzər Ticarət MMC",
               tax_id="1402567893", country="AZ", city="Sumqayıt", phone="")
    assert bad.status_code == 400
    assert "A VÖEN has 10 digits and ends in 1" in text_of(bad.text)
    assert 'value="Xəzər Ticarət MMC"' in bad.text, "the form is shown again as typed"
    assert company_row(owner_db, tenant) == before
    r = post(s, base, "/account/company", page="/account/company", name="Xəzər Ticarət MMC",
             tax_id="1700123452", country="AZ", city="Sumqayıt", phone="+994 18 642 00 00")
    assert r.status_code == 303
    assert "The company profile is saved." in text_of(s.get(base + r.headers["Location"]).text)
    assert company_row(owner_db, tenant) == ("Xəzər Ticarət MMC", "1700123452", "AZ", "Sumqayıt",
                                             "+994 18 642 00 00")
    (detail,) = audit(owner_db, "tenant.company.updated", tenant)
    assert detail["before"]["name"] == data["company"] and detail["before"]["tax_id"] == "1402567891"
    assert detail["after"]["name"] == "Xəzər Ticarət MMC" and detail["after"]["city"] == "Sumqayıt"
    assert "Xəzər Ticarət MMC" in text_of(s.get(base + "/account/").text)


def test_a_member_sees_the_company_read_only_and_cannot_change_it(base, owner_db, mailbox):
    owner, data = company(base)
    tenant = tenant_of(owner_db, data["email"])
    s, _ = member(base, owner, mailbox, "member")
    page = s.get(base + "/account/company")
    assert page.status_code == 200
    assert "Only the owner and the admins" in text_of(page.text)
    assert data["company"] in text_of(page.text) and 'name="tax_id"' not in page.text
    before = company_row(owner_db, tenant)
    r = s.post(base + "/account/company", data={"csrf": csrf_of(page.text), "name": "Taken over",
                                               "country": "AZ"})
    assert r.status_code == 403
    assert "You do not have access to this page" in text_of(r.text)
    assert company_row(owner_db, tenant) == before
