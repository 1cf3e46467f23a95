"""What every acquirer reached over HTTP shares: the app's aiohttp session, the base URL, one
JSON request turned into an answer or an AcquirerError, and reading a JSON callback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

from adapters.acquirers.base import Acquirer, AcquirerError, CallbackMalformed


class HttpAcquirer(Acquirer):
    def __init__(self, http: aiohttp.ClientSession, *, url: str) -> None:
        self._http = http
        self._url = url

    async def _request(
        self, method: str, path: str, *, body: bytes, headers: Mapping[str, str] | None = None
    ) -> Any:
        """Sends a JSON body and answers the JSON answer ({} for an empty one). AcquirerError if
        the acquirer cannot be reached, answers other than 200, or answers something unreadable
        (the acquirer's client timeout ends in TimeoutError)."""
        try:
            async with self._http.request(
                method,
                self._url + path,
                data=body,
                headers={**(headers or {}), "Content-Type": "application/json"},
            ) as response:
                text = await response.read()
                if response.status != 200:
                    detail = text[:200].decode(errors="replace")
                    raise AcquirerError(f"{self.name} {path} answered {response.status}: {detail}")
                return orjson.loads(text) if text else {}
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError) as error:
            raise AcquirerError(f"{self.name} {path} unreachable: {error!r}") from error


def read_json(body: bytes) -> Any:
    """A callback's body; CallbackMalformed unless it is JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise CallbackMalformed("not JSON") from error
