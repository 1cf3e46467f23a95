"""The pages the links in e-mails open, when no separate web app serves them (LK_APP_URL unset).

A link leads to LK_APP_URL (the customers' web app) when it is set, else to this server
(LK_PUBLIC_URL), which then answers at the link's path with a small page in Russian:

- /register/activate?token=...: finish the registration (activateEmail);
- /recovery?email=...&token=...: choose the login and set a new password (verifyPasswordReset,
  then resetPassword);
- /profile/confirm-email?token=...: confirm the new address (confirmEmail);
- /ebill/confirm?token=...: bills by e-mail to the address confirmed (confirmEbill);
- /ebill/stop?token=...: bills on paper again (disableEbillByLink), from any bill e-mail.

Mail scanners open links: a GET only shows the page, and nothing changes until the person
presses its button; then the page's script (static/pages/pages.js) calls /graphql and shows
the answer. The pages load nothing from outside and run no inline script, so their policy
allows only this server's own files.
"""

from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

from routes.keys import RUNTIME
from services.ebill import site, subscriptions
from services.identity import profile, recovery, registration

STATIC_URL = "/static/pages"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "pages"
# The path of each link (as the services build it) and the page that answers there.
PAGES = {
    registration.ACTIVATION_PATH: "activate.html",
    recovery.LINK_PATH: "recovery.html",
    profile.EMAIL_LINK_PATH: "confirm-email.html",
    site.CONFIRM_PATH: "ebill-confirm.html",
    subscriptions.STOP_PATH: "ebill-stop.html",
}
# The pages' own files; nothing else under static/pages/ is served.
ASSETS = {"pages.css", "pages.js"}
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@functools.cache
def _page(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


async def link_page(request: web.Request) -> web.Response:
    return web.Response(
        # A plain route: it matched only its own path.
        text=_page(PAGES[request.path]),
        content_type="text/html",
        headers={"Content-Security-Policy": PAGE_CSP},
    )


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    return web.FileResponse(STATIC_DIR / name)


def setup(app: web.Application) -> None:
    if app[RUNTIME].settings.app_url:
        return  # the web app serves the links' paths
    for path in PAGES:
        app.router.add_get(path, link_page)
    app.router.add_get(STATIC_URL + "/{name}", asset)
