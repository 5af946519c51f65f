"""`make run`: a private PostgreSQL and Apache with mod_portal from this tree,
demo data loaded once, a local mail catcher, in the foreground until Ctrl-C."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack  # noqa: E402

DEFAULT_PG_PORT = 54329


def pg_port_of(state):
    path = os.path.join(state, "pg.port")
    if os.path.exists(path):
        return int(open(path).read())
    port = DEFAULT_PG_PORT if not stack.port_in_use(DEFAULT_PG_PORT) else stack.free_port()
    with open(path, "w") as f:
        f.write(str(port))
    return port


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    if stack.port_in_use(port):
        print(f"make run: port {port} is already in use; stop what holds it "
              f"or choose another: make run PORT={port + 1}")
        return 1
    state = stack.state_dir_for_tree()
    s = stack.Stack(state, pg_port_of(state))
    if s.pg.running():
        s.pg.stop()
    if stack.port_in_use(s.pg.port):
        print(f"make run: PostgreSQL's port {s.pg.port} is taken by another program; "
              f"remove {state}/pg.port to pick a free one")
        return 1
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("make run: starting PostgreSQL ...", flush=True)
        s.start_database(demo=True)
        # Every mail the portal sends lands here as an .eml file.
        mail_dir = os.path.join(state, "mail")
        sink = s.start_mail(maildir=mail_dir)
        stack.write_demo_json(state, {"mail_dir": mail_dir})
        node = stack.Apache(state, "apache", port, s.pg.port, htdocs=stack.htdocs_for(state),
                            overrides=stack.mail_directives(sink.url))
        node.start()
        s.nodes.append(node)
        url = node.url
        customer, member, admin = s.demo["customer"], s.demo["member"], s.demo["admin"]
        demo_json = stack.write_demo_json(state, {
            "url": url + "/",
            "customer": {k: customer[k] for k in ("email", "password", "company")},
            "member": {k: member[k] for k in ("email", "password")},
            "admin": {k: admin[k] for k in ("email", "password", "totp_secret")},
        })
        print(f"""
mod_portal is running at {url}/

  Public site     {url}/            Home, Features, Pricing (plans from PostgreSQL),
                                    Security, Contact
  Languages       the switcher in the header, or {url}/pricing?lang=ru (en, tr, az, ru)
  Contact form    {url}/contact     messages land in the contact_messages table
  Sign in         {url}/signin      as the owner of {customer["company"]}:
                                    {customer["email"]} / {customer["password"]}
                                    or as a member: {member["email"]} / {member["password"]}
  Dashboard       {url}/account/    the company, what the account needs, recent sign-ins
  Admin status    {url}/admin/      allowed from 127.0.0.1 only (Require ip)
  Admin sign-in   {url}/admin/signin   {admin["email"]} / {admin["password"]}
                                    and a code: oathtool --totp -b {admin["totp_secret"]}
                                    (or add the secret to an authenticator app)
  Licensing API   curl {url}/api/license/v1/ping
  Database        psql "host=127.0.0.1 port={s.pg.port} dbname=portal user=portal_owner"
  Mail            every message lands in {mail_dir}/ as an .eml file
                  (a local catcher on {sink.url}); send a test:
                  build/portalctl -c {node.dir}/portal.conf mail test you@example.com --lang tr
  Logs            {node.error_log}
  Doctor          build/portalctl -c {node.dir}/portal.conf --apache-user nobody doctor

All of this, for a script: {demo_json}
Ctrl-C stops Apache, PostgreSQL and the mail catcher; the data stays in {state} for the next make run.
""", flush=True)
        while not stopping and node.proc.poll() is None:
            time.sleep(0.3)
        if node.proc.poll() is not None and not stopping:
            print("make run: Apache exited:\n" + node.tail_log())
            return 1
        return 0
    except stack.StackError as e:
        print(f"make run: {e}")
        return 1
    finally:
        print("\nmake run: stopping Apache, PostgreSQL and the mail catcher ...", flush=True)
        s.stop()
        print("make run: stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
