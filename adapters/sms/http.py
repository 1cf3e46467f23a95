"""SMS through an HTTP gateway.

`POST LK_SMS_URL` with the JSON body `{"to": "+79991234526", "text": "..."}`
(Content-Type: application/json; UTF-8). Any 2xx answer means the gateway accepted the
message; anything else (or no answer within the timeout) is a failure the outbox retries.
Credentials may sit in the URL (`https://user:password@sms.example.ru/send`): they are sent
as HTTP Basic authentication.
"""

from __future__ import annotations

import aiohttp
from yarl import URL

from adapters.sms.base import SmsError


class HttpSmsGateway:
    def __init__(self, url: str, *, http: aiohttp.ClientSession, timeout: float = 15) -> None:
        parsed = URL(url)
        self._headers = (
            {"Authorization": aiohttp.encode_basic_auth(parsed.user, parsed.password or "")}
            if parsed.user
            else {}
        )
        self.url = parsed.with_user(None)
        self._http = http
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, *, to: str, text: str) -> None:
        try:
            async with self._http.post(
                self.url,
                json={"to": to, "text": text},
                headers=self._headers,
                timeout=self._timeout,
            ) as response:
                if not 200 <= response.status < 300:
                    detail = (await response.text())[:200]
                    raise SmsError(f"SMS gateway answered {response.status}: {detail}")
        except (TimeoutError, aiohttp.ClientError) as error:
            raise SmsError(f"SMS gateway unreachable: {error}") from error
