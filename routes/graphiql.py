"""GraphiQL that works without the internet.

Strawberry's GraphiQL page loads React, GraphiQL and the explorer plugin from a public CDN;
the retailer's intranet (and CI) cannot reach it, so the page stayed blank. The same files
(from the npm registry, see static/graphiql/README.md) are served by the app under
/static/graphiql/, and Strawberry's page is rendered with its URLs pointed at them. The
Subresource Integrity hashes in Strawberry's page still match, so they are kept.

Any GraphQL view gets the offline page by mixing in `OfflineGraphiQL` (before the Strawberry
view class); the page talks to the view's own path, or to `graphiql_endpoint` when set.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from pathlib import Path

from aiohttp import web
from strawberry.http.ides import get_graphql_ide_html

from routes.keys import RUNTIME

STATIC_URL = "/static/graphiql"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "graphiql"
# The CDN prefix of every package URL in Strawberry's page.
_CDN = re.compile(r"https://[A-Za-z0-9.-]+/(?=@graphiql/|graphiql@|react@|react-dom@|js-cookie@)")
_FETCH_URL = 'const fetchURL = window.location.href.split("?")[0];'
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@functools.cache
def graphiql_page(endpoint: str) -> tuple[str, str]:
    """The offline GraphiQL page for a GraphQL endpoint path, and its Content-Security-Policy."""
    html = get_graphql_ide_html("graphiql")
    # Fail loudly if a Strawberry upgrade changes the page: a silent miss would mean a blank IDE.
    html, replaced = _CDN.subn(f"{STATIC_URL}/", html)
    if replaced != 7 or _FETCH_URL not in html or 'src="https://' in html:
        raise RuntimeError("Strawberry's GraphiQL page changed: update routes/graphiql.py")
    html = html.replace(
        _FETCH_URL,
        f"const fetchURL = new URL({json.dumps(endpoint)}, window.location.href).toString();",
    )
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    # The page's one inline script is allowed by its hash; CodeMirror and React set inline
    # styles, and GraphiQL's fonts and the favicon are data: URLs.
    csp = (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html, csp


class OfflineGraphiQL:
    """Mixin for Strawberry's aiohttp GraphQLView: serves the offline GraphiQL page."""

    graphiql_endpoint: str | None = None

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        html, csp = graphiql_page(self.graphiql_endpoint or request.path)
        return web.Response(
            text=html, content_type="text/html", headers={"Content-Security-Policy": csp}
        )


def setup(app: web.Application) -> None:
    # Production serves no GraphiQL page, so not its files either (they would tell a scanner
    # what runs here, and are 4 MB nobody needs).
    if app[RUNTIME].settings.is_development:
        app.router.add_static(f"{STATIC_URL}/", STATIC_DIR, append_version=False)
