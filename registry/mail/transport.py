"""The SMTP server mail goes through (REGISTRY_SMTP_URL): smtp:// with STARTTLS when the server
offers it, smtps:// with TLS from the start, and a login when the address names a user."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465}
TIMEOUT = 30


class MailError(Exception):
    """The server could not be reached, refused the login, or refused a mail."""


@dataclass(frozen=True)
class Server:
    """Where and how to send: host, port, TLS from the start or by STARTTLS, and a login."""

    scheme: str
    host: str
    port: int
    username: str
    password: str

    @classmethod
    def parse(cls, url: str) -> Server:
        """The server an smtp:// or smtps:// address names; ValueError says what is wrong."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError("REGISTRY_SMTP_URL must begin with smtp:// or smtps://, "
                             f"not {parts.scheme or url!r}")
        if not parts.hostname:
            raise ValueError("REGISTRY_SMTP_URL names no server: smtp://host:587")
        try:
            port = parts.port or SCHEMES[parts.scheme]
        except ValueError:
            raise ValueError("REGISTRY_SMTP_URL has a port that is not a number") from None
        return cls(parts.scheme, parts.hostname, port, unquote(parts.username or ""),
                   unquote(parts.password or ""))

    def __str__(self) -> str:
        """The address without its password, for messages."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


class Connection:
    """One session with the server for a run's mails: `with Connection(server) as c: c.send(m)`."""

    def __init__(self, server: Server):
        self.server = server
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        server, context = self.server, ssl.create_default_context()
        try:
            if server.scheme == "smtps":
                self.smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT,
                                             context=context)
            else:
                self.smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
                self.smtp.ehlo()
                if self.smtp.has_extn("starttls"):
                    self.smtp.starttls(context=context)
                    self.smtp.ehlo()
                elif server.username:
                    raise MailError(f"{server} offers no STARTTLS: the password would cross the "
                                    "network in clear (use smtps:// or a server with STARTTLS)")
            if server.username:
                self.smtp.login(server.username, server.password)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise MailError(f"{server}: {_reason(error)}") from error
        except MailError:
            self.close()
            raise
        return self

    def send(self, message: EmailMessage) -> None:
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(_reason(error)) from error

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self.close()


def _reason(error: Exception) -> str:
    """What the server answered, in one line."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"{error.smtp_code} {text}".replace("\n", " ")[:500]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {text.decode(errors='replace')}"
                         for to, (code, text) in error.recipients.items())[:500]
    return (str(error) or type(error).__name__).replace("\n", " ")[:500]
