"""The SMTP sink lives in tools/mail_sink.py (make run's mail catcher uses
it too); imported from here as it was before."""

from mail_sink import SmtpSink  # noqa: F401
