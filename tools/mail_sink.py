"""A real SMTP server on loopback (aiosmtpd, Debian's python3-aiosmtpd) that
keeps every message it accepts: in memory for the tests, and as an .eml
file under a directory for `make run`'s mail catcher. Tests can make it
refuse the next messages (451 or 550), hold the RCPT answer (a slow
server), or go down and come back on the same port."""

import asyncio
import email
import email.policy
import os
import threading
import time

from aiosmtpd.controller import Controller

import stack as stacklib


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        sink = self.sink
        if sink.rcpt_delay:
            await asyncio.sleep(sink.rcpt_delay)
        with sink.lock:
            refusal = sink.refusals.pop(0) if sink.refusals else None
        if refusal:
            sink.refused.append((address, refusal))
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        entry = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                 "message": msg, "raw": envelope.content}
        with sink.lock:
            sink.messages.append(entry)
            n = len(sink.messages)
        if sink.maildir:
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{n:05d}.eml"
            tmp = os.path.join(sink.maildir, "." + name)
            with open(tmp, "wb") as f:
                f.write(envelope.content)
            os.replace(tmp, os.path.join(sink.maildir, name))
            entry["path"] = os.path.join(sink.maildir, name)
        return "250 OK: queued"


class SmtpSink:
    def __init__(self, port=None, maildir=None):
        self.messages = []
        self.refused = []          # (recipient, reply) of each refusal given
        self.refusals = []         # replies for the next RCPTs, in order
        self.rcpt_delay = 0.0
        self.lock = threading.Lock()
        self.port = port or stacklib.free_port()
        self.maildir = maildir
        if maildir:
            os.makedirs(maildir, exist_ok=True)
        self._controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        # A new controller each time: stop() ends the old one's event loop.
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    @property
    def running(self):
        return self._controller is not None

    def reset(self):
        """Up, accepting everything at once."""
        with self.lock:
            self.refusals = []
        self.rcpt_delay = 0.0
        if not self.running:
            self.start()

    def refuse_next(self, n, reply="451 4.3.0 Try again later"):
        """The next n recipients are refused with reply (a 4xx or 5xx line)."""
        with self.lock:
            self.refusals = [reply] * n

    def to(self, address):
        """The messages that reached address."""
        with self.lock:
            return [m for m in self.messages if address in m["to"]]

    def wait_for(self, address, count=1, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.to(address)
            if len(got) >= count:
                return got
            time.sleep(0.1)
        return self.to(address)
