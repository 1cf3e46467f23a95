"""What services need from the running app: settings, secrets, the broker and the adapters.

Built once by the app factory and passed to services explicitly (the keyword `rt`), so that two
apps in one process (as in tests) never share state by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.broker import Broker
from infra.crypto import Passwords, Signer
from settings import Settings


@dataclass(eq=False)
class Runtime:
    settings: Settings
    passwords: Passwords
    signer: Signer
    broker: Broker
    # Adapters set up by the app factory; see adapters/.
    acquirer: Any = None
    sms_gateway: Any = None
    mailer: Any = None
    # An aiohttp ClientSession for adapters that call out over HTTP.
    http: Any = None
    # Background tasks started by the app, cancelled when it stops.
    tasks: list[Any] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings, broker: Broker) -> Runtime:
        return cls(
            settings=settings,
            passwords=Passwords(settings.argon2_profile),
            signer=Signer(settings.secret_key),
            broker=broker,
        )
