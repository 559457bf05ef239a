"""No cross-site form posts: a page on another site must not submit our forms.

Otherwise a page elsewhere could post the configure form with its own token and
have the victim's browser show and keep the attacker's token (login CSRF), or
rebalance on their behalf. Browsers say where a request comes from in
`Sec-Fetch-Site` (all current ones) and `Origin`; a post that another site sent
is refused with 403 before anything reads its body, so nothing it carried, its
token included, is echoed back. The JSON API needs no such check: a cross-site
form cannot send an `Authorization` header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_OWN_SITE = frozenset({"same-origin", "none"})  # "none": the user typed or bookmarked it
_REFUSED = HTMLResponse(
    "<!doctype html><title>Refused</title><h1>Refused</h1><p>This form was sent from "
    'another site. Open the rebalancer itself and use its own pages: <a href="/">start '
    "here</a>.</p>",
    status_code=403,
    headers={"Cache-Control": "no-store"},
)


def from_another_site(headers: Headers) -> bool:
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in _OWN_SITE
    origin = headers.get("origin")
    if origin is None or origin == "null":  # an older browser, or a script: no cross-site form
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class RefuseCrossSitePosts:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in _SAFE_METHODS
            and not scope["path"].startswith("/api/")
            and from_another_site(Headers(scope=scope))
        ):
            await _REFUSED(scope, receive, send)
            return
        await self.app(scope, receive, send)
