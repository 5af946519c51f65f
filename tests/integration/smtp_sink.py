"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives,
for the areas that send e-mail."""

import email
import email.policy

from aiosmtpd.controller import Controller

import stack as stacklib


class _Handler:
    def __init__(self, messages):
        self.messages = messages

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "message": msg})
        return "250 OK"


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.port = stacklib.free_port()
        self._controller = Controller(_Handler(self.messages), hostname="127.0.0.1",
                                      port=self.port)

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()
