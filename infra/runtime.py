"""What services need from the running app: settings, secrets, the broker, the adapters and the
background-task supervisor.

Built once by the app factory (server.create_app) and passed to services explicitly (the keyword
`rt`), so that two apps in one process (as in tests) never share state by accident. The ports
are typed by their single definitions in adapters/*/base.py. The HTTP session and the acquirer
that calls out through it exist only while the app runs (a ClientSession belongs to a running
event loop): the factory's clean-up contexts `connect` them at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from adapters.acquirers.base import Acquirer
from adapters.broker.base import Broker
from adapters.mail.base import Mailer
from adapters.sms.base import SmsGateway
from infra.crypto import Passwords, Signer
from infra.tasks import TaskSupervisor
from settings import Settings


@dataclass(eq=False)
class Runtime:
    settings: Settings
    passwords: Passwords
    signer: Signer
    broker: Broker
    # Background tasks: started by the app (and by services), all stopped when it stops.
    tasks: TaskSupervisor = field(default_factory=TaskSupervisor)
    # None when LK_SMTP_URL / LK_SMS_URL is not set: such messages stay in the outbox.
    mailer: Mailer | None = None
    sms_gateway: SmsGateway | None = None
    _http: aiohttp.ClientSession | None = None
    _acquirer: Acquirer | None = None

    @classmethod
    def from_settings(cls, settings: Settings, broker: Broker) -> Runtime:
        return cls(
            settings=settings,
            passwords=Passwords(settings.argon2_profile),
            signer=Signer(settings.secret_key),
            broker=broker,
        )

    def connect(self, *, http: aiohttp.ClientSession, acquirer: Acquirer) -> None:
        """The app's HTTP session and the acquirer (LK_PAYMENT_PROVIDER) calling out through it."""
        self._http = http
        self._acquirer = acquirer

    @property
    def http(self) -> aiohttp.ClientSession:
        """The aiohttp ClientSession for adapters that call out over HTTP."""
        if self._http is None:
            raise RuntimeError("the HTTP session exists only while the app runs")
        return self._http

    @property
    def acquirer(self) -> Acquirer:
        if self._acquirer is None:
            raise RuntimeError("the acquirer exists only while the app runs")
        return self._acquirer
