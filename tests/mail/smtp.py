"""A real SMTP server for the tests (aiosmtpd), keeping what arrives: plain, STARTTLS with a
login, or TLS from the start, with a certificate from a test authority (trustme) the client is
made to trust through SSL_CERT_FILE."""

from __future__ import annotations

import email
import socket
import ssl
from email.message import EmailMessage
from email.policy import default

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

LOGIN, PASSWORD = "registry", "s3cret"


class Inbox:
    """What the server received: each mail's envelope recipients and parsed message."""

    def __init__(self):
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((list(envelope.rcpt_tos),
                           email.message_from_bytes(envelope.content, policy=default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.mails if address in recipients]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=(auth_data.login, auth_data.password)
                      == (LOGIN.encode(), PASSWORD.encode()), handled=False)


class Server:
    """A running server: `url` is what REGISTRY_SMTP_URL would say, `inbox` what arrived."""

    def __init__(self, tls: str = "", tmp_path=None, monkeypatch=None):
        self.inbox = Inbox()
        port = _free_port()
        options = {}
        if tls:
            authority = trustme.CA()
            certificate = authority.issue_cert("127.0.0.1", "localhost")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate.configure_cert(context)
            bundle = tmp_path / "ca.pem"
            authority.cert_pem.write_to_path(str(bundle))
            monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
            options = ({"ssl_context": context} if tls == "smtps" else
                       {"tls_context": context, "require_starttls": True})
            # aiosmtpd takes a connection TLS from the start for plain text (and would not offer
            # AUTH on it): the login needs no second TLS there
            options.update(authenticator=_login, auth_require_tls=tls != "smtps")
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port,
                                     server_hostname="127.0.0.1", **options)
        self.controller.start()
        scheme = "smtps" if tls == "smtps" else "smtp"
        login = f"{LOGIN}:{PASSWORD}@" if tls else ""
        self.url = f"{scheme}://{login}127.0.0.1:{port}"
        self.port = port

    def stop(self) -> None:
        self.controller.stop()
