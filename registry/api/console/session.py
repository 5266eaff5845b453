"""Who is signed in to the console: the token in an HttpOnly cookie, resolved like a bearer."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from registry.access import Principal
from registry.console.i18n import Lang, lang_of
from registry.services import Services

TOKEN_COOKIE = "kerjasama_console"
LANG_COOKIE = "kerjasama_lang"
# A working day: a console left open overnight asks for the token again.
SESSION_SECONDS = 12 * 3600


class SignInRequired(Exception):
    """No valid token in the cookie: the page answers with the sign-in form."""


def token_cookie(token: str, *, secure: bool) -> Cookie:
    # HttpOnly: no script of any page can read the token. SameSite=Strict: no other site's
    # page can make the browser send it, on top of the CSRF token every form carries.
    return Cookie(
        key=TOKEN_COOKIE,
        value=token,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=secure,
        max_age=SESSION_SECONDS,
    )


def cleared_token_cookie() -> Cookie:
    return Cookie(key=TOKEN_COOKIE, value="", path="/console", max_age=0, httponly=True)


async def optional_principal(
    request: Request[Any, Any, Any], services: NamedDependency[Services]
) -> Principal | None:
    token = request.cookies.get(TOKEN_COOKIE, "")
    principal = await services.tokens.principal_for(token) if token else None
    if principal is not None:
        # The request log and the command metadata name the actor as for a bearer token.
        request.scope["state"]["principal"] = principal
    return principal


async def console_principal(
    request: Request[Any, Any, Any], services: NamedDependency[Services]
) -> Principal:
    principal = await optional_principal(request, services)
    if principal is None:
        raise SignInRequired
    return principal


def provide_lang(request: Request[Any, Any, Any]) -> Lang:
    return lang_of(request.query_params.get("lang") or request.cookies.get(LANG_COOKIE))
