import time
from tests.documents.helpers import document_url, fetch, text_of, qr_codes, fetch_pdf, path_of

async def test_smoke(client, ivan):
    link = await document_url(client, ivan, kind="PAYMENT_DOCUMENT")
    print(link)
    t=time.perf_counter()
    status, ct, body = await fetch(client, link["url"])
    print("ms", (time.perf_counter()-t)*1000, len(body))
    import pathlib; pathlib.Path("/tmp/bill.pdf").write_bytes(body)
    reader = await fetch_pdf(client, link["url"])
    print(text_of(reader))
    print(qr_codes(reader))
