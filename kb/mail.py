"""Sending e-mail through the office's SMTP server: review reminders, read-and-confirm
reminders, digests of followed articles. Optional: with no ``smtp_host`` nothing is sent and the
site works as before.

Python's smtplib and email.message do the protocol and the encoding (UTF-8 subjects and bodies,
so 「请复审」 arrives as written); a failure is a MailError with a Chinese message for the page or
the log, never a crash of the request that wanted to send.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from .config import Config

TIMEOUT = 15  # seconds for connecting and for each command


class MailError(RuntimeError):
    """The message was not sent; the message says why, in Chinese."""


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None


class Mailer:
    def __init__(self, config: Config):
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.smtp_host)

    def message(self, mail: Mail) -> EmailMessage:
        c = self.config
        msg = EmailMessage()
        msg["From"] = formataddr((c.site_name, c.mail_from or f"kb@{c.smtp_host}"))
        msg["To"] = ", ".join(mail.to)
        msg["Subject"] = mail.subject
        msg["Message-ID"] = make_msgid(domain=(c.mail_from or "kb@localhost").rpartition("@")[2] or "localhost")
        msg.set_content(mail.text)
        if mail.html:
            msg.add_alternative(mail.html, subtype="html")
        return msg

    def send(self, mail: Mail) -> None:
        """Send one message to every address of ``mail.to``. Raises MailError."""
        if not self.enabled:
            raise MailError("没有设置邮件服务器（smtp_host），邮件没有发出")
        if not mail.to:
            return
        c = self.config
        try:
            if c.smtp_security == "ssl":
                server = smtplib.SMTP_SSL(c.smtp_host, c.smtp_port, timeout=TIMEOUT, context=ssl.create_default_context())
            else:
                server = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=TIMEOUT)
            with server:
                if c.smtp_security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if c.smtp_user:
                    server.login(c.smtp_user, c.smtp_password)
                server.send_message(self.message(mail))
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"邮件没有发出（{c.smtp_host}:{c.smtp_port}）：{exc}") from exc
