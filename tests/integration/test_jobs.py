"""The job runner: several Apache nodes and cron's portalctl share one
queue and never send a mail twice; a runner killed mid-job leaves a lease
that runs out, and the job is taken again; `portalctl jobs run` says what
it did; mail and job directives are checked by apache2 -t."""

import os
import signal
import threading
import time

import pytest

import stack as stacklib
from test_outbox import address, conf_of, mail_test, outbox_row, wait_row


def jobs_run(stack, node):
    return stacklib.portalctl("-c", conf_of(node), "jobs", "run", conninfo=stack.app_db)


@pytest.fixture
def cron_db(stack):
    """A database of its own, migrated, that no Apache node runs jobs on:
    here only portalctl does."""
    stack.pg.psql("DROP DATABASE IF EXISTS cron_jobs")
    stack.pg.psql(f"CREATE DATABASE cron_jobs OWNER {stacklib.OWNER_ROLE}")
    db = stack.pg.conninfo(stacklib.OWNER_ROLE, "cron_jobs")
    stacklib.portalctl("migrate", conninfo=db)
    yield db
    stack.pg.psql("DROP DATABASE cron_jobs")


def test_jobs_run_says_what_it_did(node, mailbox, cron_db):
    def ctl(*args):
        return stacklib.portalctl("-c", conf_of(node), *args, conninfo=cron_db)
    to = address("cron")
    ctl("mail", "test", to, "--lang", "az")
    r = ctl("jobs", "run")
    assert "jobs run: job 1 mail.deliver: 1 sent, 0 to retry, 0 failed" in r.stdout, r.stdout
    assert "jobs run: 1 job run (1 done, 0 to retry, 0 failed)" in r.stdout
    assert "outbox: 0 queued, 0 failing, 0 failed, 1 sent" in r.stdout
    assert len(mailbox.wait_for(to, timeout=5)) == 1
    r = ctl("jobs", "run")
    assert "sent" not in r.stdout.split("outbox:")[0], "nothing more to send"
    mailbox.stop()
    ctl("mail", "test", address("cron-down"))
    r = ctl("jobs", "run")
    assert "warning: mail: the SMTP server smtp://127.0.0.1:" in r.stdout
    assert "takes no mail: Couldn't connect to server; mail waits in the outbox" in r.stdout
    assert "outbox: 1 queued, 0 failing, 0 failed, 1 sent" in r.stdout
    r = stacklib.portalctl("-c", conf_of(node), "mail", "send", conninfo=cron_db, check=False)
    assert r.returncode == 1 and "mail send: 0 sent, 0 to retry, 0 failed" in r.stdout


def test_two_nodes_and_cron_send_each_mail_exactly_once(stack, node, mailbox, owner_db):
    second = stack.add_node("jobs-second", htdocs=node.htdocs)
    stop = threading.Event()
    results = []

    def cron(kind):
        while not stop.is_set():
            cmd = ("jobs", "run") if kind == "jobs" else ("mail", "send")
            results.append(stacklib.portalctl("-c", conf_of(node), *cmd,
                                              conninfo=stack.app_db, check=False))

    crons = [threading.Thread(target=cron, args=(k,)) for k in ("jobs", "mail", "mail")]
    tos = [address(f"race{i}") for i in range(60)]
    try:
        for t in crons:
            t.start()
        # Queued in one go, so that every runner finds work at once.
        with owner_db.cursor() as c:
            c.execute("SELECT id FROM mail_outbox ORDER BY id DESC LIMIT 1")
        for to in tos:
            mail_test(stack, node, to)
        deadline = time.time() + 30
        while time.time() < deadline and not all(mailbox.to(to) for to in tos):
            time.sleep(0.2)
        time.sleep(2)   # a duplicate would arrive now
    finally:
        stop.set()
        for t in crons:
            t.join()
        stack.nodes.remove(second)
        second.stop()
    counts = {to: len(mailbox.to(to)) for to in tos}
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    with owner_db.cursor() as c:
        c.execute("SELECT status, count(*), count(DISTINCT sent_by) FROM mail_outbox "
                  "WHERE recipient = ANY(%s) GROUP BY status", (tos,))
        rows = c.fetchall()
    assert [r[:2] for r in rows] == [("sent", 60)]
    assert rows[0][2] >= 2, "more than one runner sent some of them"
    assert all(r.returncode in (0, 1) for r in results) and results


def test_a_runner_killed_mid_job_leaves_its_lease_and_the_job_is_taken_again(
        stack, node, mailbox, owner_db):
    to = address("killed")
    mailbox.rcpt_delay = 30          # a slow server: the runner waits in RCPT
    mail_test(stack, node, to)
    row = wait_row(owner_db, to, lambda r: r["locked_by"] is not None)
    assert row["locked_by"], "a runner claimed the mail"
    pid = int(row["locked_by"].rsplit(":", 1)[1])
    assert pid in node.child_pids(), "Apache's watchdog child is sending it"
    os.kill(pid, signal.SIGKILL)
    mailbox.rcpt_delay = 0
    time.sleep(1)
    # The lease is still the dead runner's: nobody takes the mail or the job.
    r = jobs_run(stack, node)
    assert "nothing due" in r.stdout, r.stdout
    assert mailbox.to(to) == []
    row = outbox_row(owner_db, to)
    assert row["status"] == "queued" and row["locked_by"].endswith(f":{pid}")
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM jobs WHERE kind = 'mail.deliver' "
                  "AND locked_by LIKE %s AND locked_until > now()", (f"%:{pid}",))
        assert c.fetchone()[0] == 1, "the dead runner still holds mail.deliver"
        # The leases run out (they last about a minute).
        c.execute("UPDATE jobs SET locked_until = now() - interval '1 second' "
                  "WHERE locked_by LIKE %s", (f"%:{pid}",))
        c.execute("UPDATE mail_outbox SET locked_until = now() - interval '1 second' "
                  "WHERE id = %s", (row["id"],))
    # Apache itself takes it again: another child holds the watchdog now.
    got = mailbox.wait_for(to, timeout=30)
    assert len(got) == 1, "sent once, after the lease"
    row = wait_row(owner_db, to, lambda r: r["status"] == "sent")
    assert row["status"] == "sent" and row["attempts"] == 2
    assert not row["sent_by"].endswith(f":{pid}")


def test_a_kind_no_runner_knows_waits_untouched(owner_db):
    """A newer node's job kind (billing's, say) is never claimed by a node
    that cannot run it, so it is not failed or used up on the way."""
    with owner_db.cursor() as c:
        c.execute("INSERT INTO jobs (kind, payload) VALUES ('billing.remind', '{\"n\": 1}') "
                  "RETURNING id")
        (job,) = c.fetchone()
    time.sleep(3)   # three ticks of the session's Apache
    with owner_db.cursor() as c:
        c.execute("SELECT status, attempts, locked_by FROM jobs WHERE id = %s", (job,))
        assert c.fetchone() == ("queued", 0, None)
        c.execute("DELETE FROM jobs WHERE id = %s", (job,))


def test_mail_off_queues_and_says_so_once(stack, owner_db, tmp_path):
    n = stacklib.Apache(stack.state, f"mail-off-{os.getpid()}", stacklib.free_port(),
                        stack.pg.port, htdocs=stack.nodes[0].htdocs)
    n.start()
    try:
        time.sleep(2)
        with open(n.error_log) as f:
            log = f.read()
        assert log.count("PortalSMTPURL is not set, so mail is off") == 1, log
        r = stacklib.portalctl("-c", conf_of(n), "mail", "test", address("off"),
                               conninfo=stack.app_db)
        assert "PortalSMTPURL is not set" in r.stdout and "waits in the outbox" in r.stdout
        r = stacklib.portalctl("-c", conf_of(n), "jobs", "run", conninfo=stack.app_db)
        assert "mail is off" in r.stdout
        assert n.proc.poll() is None, "Apache runs on"
    finally:
        n.stop()


def test_doctor_says_when_the_smtp_server_does_not_answer(node, mailbox):
    mailbox.stop()
    r = stacklib.portalctl("-c", conf_of(node), "--apache-user", "nobody", "doctor",
                           check=False)
    assert r.returncode == 1
    assert f"FAIL  mail           {mailbox.url}: Failed to connect to 127.0.0.1 port " \
           f"{mailbox.port}" in r.stdout
    assert "fix: check PortalSMTPURL (and that the server runs)" in r.stdout


@pytest.fixture
def bare_conf(stack, tmp_path):
    node = stacklib.Apache(stack.state, f"jobs-conf-{os.getpid()}-{tmp_path.name}",
                           stacklib.free_port(), stack.pg.port)
    node.write_config()
    yield node


def configtest(node, append):
    with open(conf_of(node), "a") as f:
        f.write("\n" + append + "\n")
    r = node.configtest()
    assert r.returncode != 0, "apache2 -t refuses it"
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    return " ".join(lines)


@pytest.mark.parametrize("lines, expect", [
    ("PortalSMTPURL http://mail.example.com", "PortalSMTPURL http://mail.example.com: the "
     "scheme is http; use smtp:// or smtps://"),
    ("PortalSMTPURL smtp://user:pw@mail.example.com", "PortalSMTPAuthFile"),
    ("PortalSMTPURL smtp://mail.example.com", "PortalMailFrom is not set"),
    ("PortalMailFrom 'Portal <a@b.c>'", "PortalMailFrom"),
    ("PortalMailFrom noreply@localhost", "give one plain address"),
    ("PortalJobsInterval soon", "PortalJobsInterval soon: give seconds from 1 to 3600, or 0"),
    ("PortalSMTPAuthFile /nonexistent/smtp-auth", "PortalSMTPAuthFile /nonexistent/smtp-auth:"),
])
def test_apache_t_names_a_bad_mail_directive(bare_conf, lines, expect):
    assert expect in configtest(bare_conf, lines)


def test_apache_t_checks_the_auth_file(bare_conf, tmp_path):
    auth = tmp_path / "smtp-auth"
    auth.write_text("mailer:secret\n")
    os.chmod(auth, 0o644)
    out = configtest(bare_conf, f"PortalSMTPAuthFile {auth}")
    assert f"PortalSMTPAuthFile {auth}: readable by group or others (mode 0644); run " \
           f"chmod 600 {auth}" in out
    os.chmod(auth, 0o600)
    out = configtest(bare_conf, "PortalSMTPURL smtp://mail.example.com:587\n"
                                "PortalSMTPStartTLS Off\nPortalMailFrom noreply@example.com")
    assert "would send the SMTP password unencrypted to smtp://mail.example.com:587" in out
    # The same on loopback (a local relay), or with STARTTLS, passes.
    with open(conf_of(bare_conf), "a") as f:
        f.write("PortalSMTPStartTLS On\n")
    r = bare_conf.configtest()
    assert r.returncode == 0, r.stderr
