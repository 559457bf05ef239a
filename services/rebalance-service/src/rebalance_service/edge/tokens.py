"""A request's token: read from where the API or the page sends it, checked, and
counted against the guessing limit, once, before any use case runs.

So a guessed token is refused before its CSV is parsed or its key derived. The
count is the installation's, kept by the config service: admitting costs one small
call to it, and when it cannot be reached the request fails with 503, as it would
a moment later for want of the user's settings.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from rebalance_service.edge.app_state import token_limiter
from rebalance_service.edge.errors import RequestError
from rebalance_service.keys import Token, check_token
from service_kit.internal_api import MAX_CLIENT


async def bearer_token(request: Request) -> Token:
    """`Authorization: Bearer <token>`, as scripts send it."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RequestError(401, "token", "a token is required: send Authorization: Bearer <token>")
    return await admit(request, token.strip())


async def form_token(request: Request, form: FormData) -> Token:
    """The page's `token` field."""
    token = form.get("token")
    if not isinstance(token, str) or not token.strip():
        raise RequestError(401, "token", "a token is required: enter your token, or get one")
    return await admit(request, token.strip())


async def admit(request: Request, text: str) -> Token:
    token = check_token(text)
    client = request.client.host if request.client else "unknown"
    await token_limiter(request).admit(client[:MAX_CLIENT], token)
    return token
