"""The Contact form: CSRF, validation, storage of the message and its
attachment, and nothing left behind when something fails."""

import hashlib
import json
import os

import pytest
import requests

from conftest import ROOT, csrf_of, text_of

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def fields(token, **over):
    f = {"csrf": token, "name": "Aylin Yılmaz", "email": "aylin@example.com.tr",
         "company": "Anadolu Tekstil", "topic": "support",
         "message": "The installer stops at 80% on Windows 11."}
    f.update(over)
    return f


def latest(db):
    with db.cursor() as c:
        c.execute("SELECT name, email, company, topic, message, locale, attachment_id, "
                  "attachment_name, attachment_type, attachment_size, attachment_sha256, "
                  "request_id FROM contact_messages ORDER BY id DESC LIMIT 1")
        return c.fetchone()


def count(db):
    with db.cursor() as c:
        c.execute("SELECT count(*) FROM contact_messages")
        return c.fetchone()[0]


def leftovers(stack):
    tmp = os.path.join(stack.state, "storage", "tmp")
    return [f for f in os.listdir(tmp) if f.startswith("upload-")] if os.path.isdir(tmp) else []


@pytest.fixture(autouse=True)
def fresh_inbox(owner_db):
    """Each test starts below the form's hourly limit for 127.0.0.1."""
    with owner_db.cursor() as c:
        c.execute("DELETE FROM contact_messages")
        c.execute("DELETE FROM rate_limits WHERE bucket = 'contact.ip'")


def stored_files(stack):
    d = os.path.join(stack.state, "storage", "contact")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_the_form_sets_a_csrf_cookie(http, base):
    r = http.get(base + "/contact")
    cookie = r.headers["Set-Cookie"]
    assert "portal_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert csrf_of(r.text)


def test_a_message_is_stored_and_thanked_for(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact?lang=tr").text)
    r = http.post(base + "/contact", data=fields(token), allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/contact?sent=1"
    row = latest(owner_db)
    assert row[:6] == ("Aylin Yılmaz", "aylin@example.com.tr", "Anadolu Tekstil", "support",
                       "The installer stops at 80% on Windows 11.", "tr")
    assert row[6] is None and row[11] == r.headers["X-Request-Id"]
    thanks = http.get(base + r.headers["Location"])
    assert thanks.status_code == 200 and 'name="csrf"' not in thanks.text


def test_an_attachment_is_stored_with_its_checksum(http, base, owner_db, stack):
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("error screen.png", PNG, "image/png")},
                  allow_redirects=False)
    assert r.status_code == 303
    row = latest(owner_db)
    assert row[7:11] == ("error screen.png", "image/png", len(PNG),
                         hashlib.sha256(PNG).hexdigest())
    stored = os.path.join(stack.state, "storage", "contact", row[6])
    assert open(stored, "rb").read() == PNG
    assert leftovers(stack) == []


def test_invalid_fields_come_back_with_messages_and_values(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    before = count(owner_db)
    r = http.post(base + "/contact", data=fields(token, email="not an address",
                                                 message="short", name=""))
    assert r.status_code == 422
    assert count(owner_db) == before
    assert 'aria-invalid="true"' in r.text
    assert 'value="Anadolu Tekstil"' in r.text, "what the visitor typed is kept"
    assert csrf_of(r.text)


def test_a_disguised_attachment_is_refused(http, base, owner_db, stack):
    token = csrf_of(http.get(base + "/contact").text)
    before = count(owner_db)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert r.status_code == 422
    assert count(owner_db) == before
    assert leftovers(stack) == []


def test_a_too_large_upload_is_413_and_leaves_no_file(http, base, owner_db, stack):
    token = csrf_of(http.get(base + "/contact").text)
    before = count(owner_db)
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(11 * 1024 * 1024)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("big.png", big, "image/png")})
    assert r.status_code == 413
    assert count(owner_db) == before
    assert leftovers(stack) == []


def test_an_attachment_over_the_form_limit_is_explained(http, base, owner_db, stack):
    token = csrf_of(http.get(base + "/contact").text)
    before, stored = count(owner_db), stored_files(stack)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("big.png", PNG + os.urandom(6 * 1024 * 1024),
                                        "image/png")})
    assert r.status_code == 422
    assert "5 MB" in text_of(r.text)
    assert count(owner_db) == before
    assert leftovers(stack) == [] and stored_files(stack) == stored


def test_a_truncated_multipart_body_is_400(http, base, stack):
    token = csrf_of(http.get(base + "/contact").text)
    body = (f"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            "--XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; "
            "filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + PNG
    r = http.post(base + "/contact", data=body,
                  headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert r.status_code == 400
    assert leftovers(stack) == []


def test_without_the_csrf_token_nothing_happens(http, base, owner_db):
    http.get(base + "/contact")
    before = count(owner_db)
    r = http.post(base + "/contact", data=fields("forged-token"))
    assert r.status_code == 403
    assert count(owner_db) == before
    assert "403" in text_of(r.text)


def test_a_token_from_another_visitor_does_not_work(base, owner_db):
    with requests.Session() as alice, requests.Session() as mallory:
        token = csrf_of(alice.get(base + "/contact").text)
        mallory.get(base + "/contact")
        before = count(owner_db)
        assert mallory.post(base + "/contact", data=fields(token)).status_code == 403
        assert count(owner_db) == before


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_cross_site_posts_are_refused_before_reading(http, base, owner_db, headers):
    token = csrf_of(http.get(base + "/contact").text)
    before = count(owner_db)
    r = http.post(base + "/contact", data=fields(token), headers=headers)
    assert r.status_code == 403
    assert count(owner_db) == before


def test_same_origin_header_is_accepted(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token), headers={"Origin": base},
                  allow_redirects=False)
    assert r.status_code == 303


def test_the_hourly_limit_per_address(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    for i in range(5):
        r = http.post(base + "/contact", data=fields(token, message=f"Message number {i} of five."),
                      allow_redirects=False)
        assert r.status_code == 303
    r = http.post(base + "/contact", data=fields(token, message="And one more, the sixth."))
    assert r.status_code == 429
    assert 3590 <= int(r.headers["Retry-After"]) <= 3600, "the hour opened by the first"
    assert count(owner_db) == 5
    with owner_db.cursor() as c:   # an hour later the address may write again
        c.execute("UPDATE rate_limits SET window_end = now() - interval '1 second' "
                  "WHERE bucket = 'contact.ip'")
    assert http.post(base + "/contact", data=fields(token),
                     allow_redirects=False).status_code == 303


def test_a_post_without_the_cookie_is_refused_before_reading(base, stack):
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; "
            b"filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n" + PNG * 4000
            + b"\r\n--XyZ--\r\n")
    r = requests.post(base + "/contact", data=body,
                      headers={"Content-Type": "multipart/form-data; boundary=XyZ"})
    assert r.status_code == 403
    assert leftovers(stack) == []


@pytest.mark.parametrize("origin", ["http://127.0.0.1", "http://127.0", "null"])
def test_an_origin_that_only_looks_like_ours_is_refused(http, base, owner_db, origin):
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token), headers={"Origin": origin})
    assert r.status_code == 403
    assert count(owner_db) == 0


def test_a_sibling_site_is_refused(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token), headers={"Sec-Fetch-Site": "same-site"})
    assert r.status_code == 403
    assert count(owner_db) == 0


def test_a_client_that_hangs_up_mid_upload_leaves_nothing(http, base, stack):
    import socket
    import time
    token = csrf_of(http.get(base + "/contact").text)
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    head = (f"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            "--XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.png\""
            "\r\nContent-Type: image/png\r\n\r\n").encode() + PNG * 200
    host, port = base[len("http://"):].split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall((f"POST /contact HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                   "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                   f"Content-Length: {len(head) * 10}\r\n\r\n").encode() + head)
        time.sleep(0.5)
    deadline = time.time() + 10
    while leftovers(stack) and time.time() < deadline:
        time.sleep(0.1)
    assert leftovers(stack) == []


def test_a_full_disk_is_a_clear_507_and_stores_nothing(http, base, owner_db, stack):
    import shutil
    token = csrf_of(http.get(base + "/contact").text)
    tmp = os.path.join(stack.state, "storage", "tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    storage = os.path.join(stack.state, "storage")
    os.chmod(storage, 0o555)          # nothing can be written under it any more
    try:
        r = http.post(base + "/contact", data=fields(token),
                      files={"attachment": ("s.png", PNG, "image/png")})
    finally:
        os.chmod(storage, 0o755)
    assert r.status_code == 507
    assert "507" in text_of(r.text)
    assert count(owner_db) == 0


@pytest.fixture
def commit_refused(owner_db):
    """The server refuses the COMMIT itself, as it does a serialization
    failure found at commit: a deferred trigger raises 40001 there."""
    with owner_db.cursor() as c:
        c.execute("CREATE FUNCTION itest_refuse_commit() RETURNS trigger LANGUAGE plpgsql "
                  "AS $$BEGIN RAISE EXCEPTION 'itest: refused at commit' "
                  "USING ERRCODE = '40001'; END$$;"
                  "CREATE CONSTRAINT TRIGGER itest_refuse_commit AFTER INSERT "
                  "ON contact_messages DEFERRABLE INITIALLY DEFERRED "
                  "FOR EACH ROW EXECUTE FUNCTION itest_refuse_commit()")
    yield
    with owner_db.cursor() as c:
        c.execute("DROP TRIGGER itest_refuse_commit ON contact_messages;"
                  "DROP FUNCTION itest_refuse_commit()")


def test_a_commit_known_to_have_failed_leaves_no_file(http, base, owner_db, stack,
                                                      commit_refused):
    """The file was moved into storage before the COMMIT; the server answered
    the COMMIT with an error, so the message is not stored and neither is the
    file (only a commit whose fate is unknown keeps it)."""
    before = stored_files(stack)
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("s.png", PNG, "image/png")})
    assert r.status_code == 503
    assert count(owner_db) == 0
    assert stored_files(stack) == before
    assert leftovers(stack) == []


def multipart(token, disposition, content, content_type="text/plain"):
    """The form as a browser would post it, with the attachment's
    Content-Disposition parameters written by hand (requests cannot send
    filename* or a raw TAB)."""
    parts = [f"--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
             for k, v in fields(token).items()]
    parts.append(b"--XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; "
                 + disposition + b"\r\nContent-Type: " + content_type.encode()
                 + b"\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + b"--XyZ--\r\n", {"Content-Type": "multipart/form-data; boundary=XyZ"}


def harmless(name):
    """Nothing in the name can end a header line, a quoted string or a path,
    or turn the text around."""
    return (len(name.encode()) <= 255
            and not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in name)
            and not set(name) & {'"', "\\", "/", "\u202e", "\u2028", "\ufeff", "\u200b"})


@pytest.mark.parametrize("disposition, stored", [
    # Issue 12: CR LF, a quote and a semicolon through RFC 5987 filename*.
    (b"filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1%22%3B.txt",
     "evil__Set-Cookie: x=1_;.txt"),
    (b'filename="a\\"b\tc.txt"', "a_b_c.txt"),                  # escaped quote, raw TAB
    (b'filename="NEL \xc2\x85.txt"', "NEL _.txt"),                   # U+0085, a C1 control
    (b"filename*=UTF-8''a%7F%C2%9Fb.txt", "a__b.txt"),
    (b"filename*=UTF-8''..%2F..%2Fetc%2Finvoice%E2%80%AEtxt.exe.txt", "invoice_txt.exe.txt"),
    (b'filename="C:\\Users\\aylin\\notes.txt"', "notes.txt"),   # old browsers
    (b'filename="\xc3\x96deme; 100% tamam.txt"', "\u00d6deme; 100% tamam.txt"),
])
def test_an_unsafe_file_name_is_made_safe_and_the_message_kept(http, base, owner_db, stack,
                                                               disposition, stored):
    token = csrf_of(http.get(base + "/contact").text)
    body, headers = multipart(token, disposition, b"The log of the failed install.\n")
    r = http.post(base + "/contact", data=body, headers=headers, allow_redirects=False)
    assert r.status_code == 303, text_of(r.text)
    assert r.headers["Location"] == "/contact?sent=1"
    assert "x=1" not in r.headers.get("Set-Cookie", "")
    row = latest(owner_db)
    assert row[7] == stored and harmless(row[7])
    assert row[8] == "text/plain"
    with owner_db.cursor() as c:
        c.execute("SELECT attachment_name FROM contact_messages WHERE attachment_name ~ %s",
                  ("[\\r\\n\\t\"\\\\/\u0085\u202e]",))
        assert c.fetchall() == []
    assert leftovers(stack) == []


def test_an_over_long_file_name_is_cut_keeping_its_extension(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    name = "Hesab-faktura \u2116" + "\u011f" * 300 + ".txt"
    body, headers = multipart(token, b'filename="' + name.encode() + b'"', b"plain text\n")
    r = http.post(base + "/contact", data=body, headers=headers, allow_redirects=False)
    assert r.status_code == 303, text_of(r.text)
    stored = latest(owner_db)[7]
    assert len(stored.encode()) <= 255 and stored.endswith(".txt")
    assert stored.startswith("Hesab-faktura \u2116\u011f\u011f")


def test_a_file_name_that_is_not_text_is_a_translated_400(http, base, owner_db, stack):
    token = csrf_of(http.get(base + "/contact?lang=tr").text)
    body, headers = multipart(token, b"filename*=UTF-8''a%00b.txt", b"text\n")
    r = http.post(base + "/contact", data=body, headers=headers)
    assert r.status_code == 400
    with open(os.path.join(ROOT, "templates", "i18n", "tr.json")) as f:
        title = json.load(f)["errors"]["bad_utf8"]["title"]
    assert title in text_of(r.text)
    assert count(owner_db) == 0 and leftovers(stack) == []


def test_the_clients_content_type_is_not_what_is_stored(http, base, owner_db):
    token = csrf_of(http.get(base + "/contact").text)
    r = http.post(base + "/contact", data=fields(token),
                  files={"attachment": ("screen.png", PNG, "text/html; charset=utf-8")},
                  allow_redirects=False)
    assert r.status_code == 303
    assert latest(owner_db)[8] == "image/png", "the type comes from the bytes, not the claim"
