"""What the documents tests share: the documentUrl query, fetching a link, reading a PDF."""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pypdf
import zxingcpp

from services import periods
from tests.graphql import GraphQLClient

DOCUMENT_URL = """
query DocumentUrl($number: String!, $kind: DocumentKind!, $from: Date, $to: Date,
                  $period: Date, $paymentId: ID) {
  documentUrl(accountNumber: $number, kind: $kind, from: $from, to: $to, period: $period,
              paymentId: $paymentId) {
    url expiresAt
    errors { field code message }
  }
}
"""


async def document_url(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    variables.setdefault("number", "66200000000")
    data = await client.execute(DOCUMENT_URL, variables, token=token)
    return data["documentUrl"]


def path_of(url: str) -> str:
    """The link's path: the test client serves the app on its own host and port."""
    return urlsplit(url).path


async def fetch(client: GraphQLClient, url: str) -> tuple[int, str, bytes]:
    response = await client.http.get(path_of(url))
    return response.status, response.headers.get("Content-Type", ""), await response.read()


async def fetch_pdf(client: GraphQLClient, url: str) -> pypdf.PdfReader:
    status, content_type, body = await fetch(client, url)
    assert status == 200, body[:300]
    assert content_type == "application/pdf"
    assert body.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(body))


def text_of(reader: pypdf.PdfReader) -> str:
    """The text of every page, with runs of whitespace made single spaces."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def qr_codes(reader: pypdf.PdfReader) -> list[str]:
    """The QR codes drawn on the pages, decoded from the embedded images."""
    found = []
    for page in reader.pages:
        for image in page.images:
            for barcode in zxingcpp.read_barcodes(image.image.convert("L")):
                if barcode.format == zxingcpp.BarcodeFormat.QRCode:
                    found.append(barcode.text)
    return found


TIMEZONE = "Asia/Yekaterinburg"


def months_ago(months: int) -> date:
    """The demo data's periods: its newest statement is of the previous month."""
    return periods.add_months(periods.current_period(TIMEZONE), -months)


def iso(value: date) -> str:
    return value.isoformat()
