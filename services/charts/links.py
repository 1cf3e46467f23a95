"""Short-lived signed links to consumption charts (SVG or PNG), like the PDFs' links: the
request (user, account, months, format) signed with the server's secret, so a browser or an app
fetches the picture without a session."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import models
from infra.runtime import Runtime
from services import accounts, periods
from services.charts import model, png, svg
from services.documents import Document, DocumentLink, LinkRefused
from services.documents.data import has_access
from services.documents.links import reserve_render
from services.readings.consumption import consumption, consumption_range

PURPOSE = "consumption-chart"


class ChartFormat(Enum):
    SVG = "SVG"
    PNG = "PNG"

    @property
    def suffix(self) -> str:
        return "." + self.value.lower()

    @property
    def content_type(self) -> str:
        return "image/svg+xml" if self is ChartFormat.SVG else "image/png"


@dataclass(frozen=True, slots=True)
class ChartRequest:
    user_id: int
    account_id: int
    first: date
    last: date
    picture: ChartFormat


async def issue_link(
    rt: Runtime,
    *,
    user_id: int,
    account_number: str,
    from_: date | None,
    to: date | None,
    picture: ChartFormat,
    ttl_seconds: int | None = None,
) -> DocumentLink:
    """A link to the chart of the months asked for (as Account.consumption reads from and to),
    once the account is known to be the user's. The months are fixed in the link, so it shows
    the same range whenever it is opened. ttl_seconds overrides the setting (tests)."""
    account = await accounts.require_account(user_id, account_number)
    first, last = consumption_range(from_, to, current=periods.current_period(rt.settings.timezone))
    ttl = DocumentLink.seconds(rt, ttl_seconds)
    body: dict[str, Any] = {
        "u": user_id,
        "a": account.id,
        "f": first.isoformat(),
        "t": last.isoformat(),
        "k": picture.value,
    }
    token = rt.signer.sign(body, purpose=PURPOSE, ttl_seconds=ttl)
    return DocumentLink.to(rt, f"/charts/{token}{picture.suffix}", ttl=ttl)


async def check_link(rt: Runtime, name: str) -> tuple[ChartRequest, models.Account]:
    """The request a link names, once it holds and its user still has the account (what a
    HEAD request is answered from: nothing drawn, nothing counted). Raises LinkRefused."""
    request = _verify(rt, name)
    if not await has_access(request.user_id, request.account_id):
        raise LinkRefused("invalid")
    account = await models.Account.get_or_none(id=request.account_id)
    if account is None:
        raise LinkRefused("gone")
    return request, account


async def open_link(rt: Runtime, name: str) -> Document:
    """The picture a link's last path segment (`<token>.svg` or `.png`) names. Raises
    LinkRefused when the link is altered, expired or foreign, or its suffix is not the format
    it was signed for, and LinkRefused("limited") past the user's drawings of the hour
    (services.documents.links.reserve_render: PDFs and charts together)."""
    request, account = await check_link(rt, name)
    await reserve_render(request.user_id)
    months = await consumption(rt.settings, account=account, from_=request.first, to=request.last)
    renderer = svg.render if request.picture is ChartFormat.SVG else png.render
    # Pillow and the SVG writer are pure CPU: off the event loop.
    data = await asyncio.to_thread(lambda: renderer(model.build(months)))
    filename = (
        f"consumption-{account.number}-{request.first:%Y%m}-{request.last:%Y%m}"
        f"{request.picture.suffix}"
    )
    return Document(filename, data, request.picture.content_type)


def _verify(rt: Runtime, name: str) -> ChartRequest:
    token, dot, suffix = name.rpartition(".")
    if not dot:
        raise LinkRefused("invalid")
    body, reason = rt.signer.unsign(token, purpose=PURPOSE)
    if body is None:
        raise LinkRefused(reason or "invalid")
    try:
        request = ChartRequest(
            user_id=int(body["u"]),
            account_id=int(body["a"]),
            first=date.fromisoformat(body["f"]),
            last=date.fromisoformat(body["t"]),
            picture=ChartFormat(body["k"]),
        )
    except (KeyError, TypeError, ValueError):
        raise LinkRefused("invalid") from None
    if "." + suffix != request.picture.suffix:
        raise LinkRefused("invalid")
    return request
