"""The mail outbox as an operator and a recipient see it: `portalctl mail
test` queues a mail, the jobs mod_watchdog runs inside Apache send it
within seconds, and the SMTP sink receives a well-formed
multipart/alternative message in the requested language. A refusal with a
4xx is tried again later with backoff, a 5xx is given up at once, and a
server that is down loses nothing."""

import json
import os
import time
import uuid
from email.parser import BytesParser
import email.policy

import pytest

import stack as stacklib

LOCALES = ("en", "tr", "az", "ru")


def catalog(code):
    with open(os.path.join(stacklib.ROOT, "templates", "i18n", f"{code}.json")) as f:
        return json.load(f)


def conf_of(node):
    return os.path.join(node.dir, "portal.conf")


def address(tag):
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def mail_test(stack, node, to, lang="en", check=True):
    """What a hosting team runs; as portal_app, the role Apache uses."""
    return stacklib.portalctl("-c", conf_of(node), "mail", "test", to, "--lang", lang,
                              conninfo=stack.app_db, check=check)


def outbox_row(db, to):
    with db.cursor() as c:
        c.execute("SELECT id, status, attempts, last_error, locked_by, sent_by, message_id, "
                  "       extract(epoch FROM next_try_at - now()) AS wait "
                  "  FROM mail_outbox WHERE recipient = %s ORDER BY id DESC LIMIT 1", (to,))
        names = [d[0] for d in c.description]
        r = c.fetchone()
        return dict(zip(names, r)) if r else None


def wait_row(db, to, pred, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = outbox_row(db, to)
        if r and pred(r):
            return r
        time.sleep(0.1)
    return outbox_row(db, to)


def strict(raw):
    """The message as a strict parser reads it: any defect raises."""
    return BytesParser(policy=email.policy.strict).parsebytes(raw)


def test_a_test_mail_is_sent_by_apache_in_each_language(stack, node, mailbox, owner_db):
    subjects = {}
    for code in LOCALES:
        to = address(f"lang-{code}")
        r = mail_test(stack, node, to, code)
        assert f"queued a test message to {to} in {code}" in r.stdout
        # Nobody runs `portalctl jobs run`: only Apache's watchdog sends.
        got = mailbox.wait_for(to, timeout=10)
        assert len(got) == 1, f"the {code} mail arrived within seconds"
        msg = strict(got[0]["raw"])
        cat = catalog(code)
        want = cat["email"]["test"]["subject"].replace("{{t.brand.product}}",
                                                      cat["brand"]["product"])
        assert msg["Subject"] == want, "the subject is decoded right"
        subjects[code] = msg["Subject"]
        assert msg["From"] == f"{cat['brand']['product']} <{stacklib.MAIL_FROM}>"
        assert msg["To"] == to and got[0]["to"] == [to]
        assert got[0]["from"] == stacklib.MAIL_FROM, "the envelope sender is PortalMailFrom"
        assert msg["Content-Language"] == code
        assert msg["MIME-Version"] == "1.0" and msg["Date"].datetime.tzinfo is not None
        assert msg.get_content_type() == "multipart/alternative"
        parts = list(msg.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        assert all(p.get_content_charset() == "utf-8" for p in parts)
        text, html = parts[0].get_content(), parts[1].get_content()
        assert cat["email"]["test"]["title"] in text and cat["email"]["test"]["intro"] in text
        assert "&amp;" not in text and "<p>" not in text, "the text part is plain text"
        assert f'<html lang="{code}"' in html and cat["email"]["test"]["title"] in html
        row = wait_row(owner_db, to, lambda r: r["status"] == "sent")
        assert row["status"] == "sent" and row["attempts"] == 1 and row["last_error"] is None
        assert row["message_id"] == msg["Message-ID"]
        assert row["sent_by"] and row["locked_by"] is None
    assert len(set(subjects.values())) == 4, "each language has its own subject"


def test_a_4xx_refusal_is_retried_with_backoff_and_delivered_later(stack, node, mailbox,
                                                                    owner_db):
    to = address("greylisted")
    mailbox.refuse_next(1, "451 4.7.1 Greylisted, please try again later")
    mail_test(stack, node, to)
    row = wait_row(owner_db, to, lambda r: r["status"] == "failing")
    assert row["status"] == "failing", row
    assert row["attempts"] == 1
    assert "451" in row["last_error"] and "Greylisted" in row["last_error"]
    assert 50 < row["wait"] <= 60, "the first retry waits a minute"
    time.sleep(2)
    assert mailbox.to(to) == [], "not sent before its next try"
    assert outbox_row(owner_db, to)["attempts"] == 1, "not tried again before its time"
    # The minute passes.
    with owner_db.cursor() as c:
        c.execute("UPDATE mail_outbox SET next_try_at = now() WHERE id = %s", (row["id"],))
    assert len(mailbox.wait_for(to, timeout=10)) == 1, "delivered on its next try"
    row = wait_row(owner_db, to, lambda r: r["status"] == "sent")
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None


def test_a_5xx_refusal_is_marked_failed_and_not_retried(stack, node, mailbox, owner_db):
    to = address("unknown-user")
    mailbox.refuse_next(1, "550 5.1.1 No such user here")
    mail_test(stack, node, to)
    row = wait_row(owner_db, to, lambda r: r["status"] == "failed")
    assert row["status"] == "failed", row
    assert row["attempts"] == 1 and "550" in row["last_error"]
    assert "No such user" in row["last_error"]
    time.sleep(3)   # three ticks of the jobs
    row = outbox_row(owner_db, to)
    assert row["status"] == "failed" and row["attempts"] == 1, "never tried again"
    assert mailbox.to(to) == []


def test_smtp_down_keeps_mail_queued_and_delivers_it_when_back(stack, node, mailbox,
                                                                owner_db):
    log_mark = os.path.getsize(node.error_log)
    mailbox.stop()
    tos = [address(f"outage{i}") for i in range(3)]
    for to in tos:
        mail_test(stack, node, to)
    time.sleep(4)   # several ticks against a closed port
    for to in tos:
        row = outbox_row(owner_db, to)
        assert row["status"] == "queued" and row["attempts"] == 0, \
            "no attempt is charged to a mail while the server is down"
    errors = [outbox_row(owner_db, to)["last_error"] for to in tos]
    assert any(e and "connect" in e.lower() for e in errors), errors
    with open(node.error_log) as f:
        f.seek(log_mark)
        log = f.read()
    assert log.count("takes no mail") == 1, "the outage is logged once, not every tick"
    mailbox.start()
    for to in tos:
        assert len(mailbox.wait_for(to, timeout=10)) == 1, "delivered when the server is back"
    for to in tos:
        assert wait_row(owner_db, to, lambda r: r["status"] == "sent")["attempts"] == 1


def test_mail_test_refuses_a_bad_address_or_language(stack, node):
    r = mail_test(stack, node, "alice@example.com\r\nBcc: eve@example.com", check=False)
    assert r.returncode == 2 and "is not one plain e-mail address" in r.stderr
    r = mail_test(stack, node, "a@example.com, b@example.com", check=False)
    assert r.returncode == 2
    r = mail_test(stack, node, "alice@example.com", lang="de", check=False)
    assert r.returncode == 2 and "use one of en tr az ru" in r.stderr
