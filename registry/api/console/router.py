"""The console as one Router: its pages, sign-in, CSRF on every form, errors as pages."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, Router, get, post
from litestar.config.csrf import CSRFConfig
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from registry.access import Forbidden, Principal
from registry.api.console.audit_pages import ConsoleAudit
from registry.api.console.commands import ConsoleCommands, draft_page_context
from registry.api.console.pages import ConsolePages
from registry.api.console.rendering import page, problem_of, status_of
from registry.api.console.session import (
    SignInRequired,
    cleared_token_cookie,
    console_principal,
    optional_principal,
    provide_lang,
    token_cookie,
)
from registry.api.problems import PROBLEMS, internal_error
from registry.console.forms import one
from registry.console.i18n import Lang
from registry.services import Services

CONSOLE_DIR = Path(str(files("registry").joinpath("console")))
TEMPLATES = CONSOLE_DIR / "templates"
CSRF_COOKIE = "kerjasama_csrf"
NextPath = Annotated[str, QueryParameter(name="next", max_length=500)]


def safe_next(target: str) -> str:
    """Only a console path: a sign-in link must not send anyone off to another site."""
    return target if target.startswith("/console") and "//" not in target else "/console/"


@get("/console/sign-in", include_in_schema=False)
async def sign_in_form(
    request: Request[Any, Any, Any],
    lang: NamedDependency[Lang],
    optional_principal: NamedDependency[Principal | None],
    next_path: NextPath = "/console/",
) -> Template:
    return page(
        request,
        "sign_in.html",
        lang=lang,
        principal=optional_principal,
        next=safe_next(next_path),
    )


@post("/console/sign-in", status_code=303, include_in_schema=False)
async def sign_in(
    request: Request[Any, Any, Any],
    services: NamedDependency[Services],
    lang: NamedDependency[Lang],
) -> Template | Redirect:
    form = await request.form()
    token = one({"token": form.getall("token")}, "token")
    target = safe_next(one({"next": form.getall("next")}, "next"))
    principal = await services.tokens.principal_for(token)
    if principal is None:
        return page(
            request,
            "sign_in.html",
            lang=lang,
            principal=None,
            next=target,
            refused=True,
            status_code=401,
        )
    secure = request.url.scheme == "https"
    return Redirect(target, status_code=303, cookies=[token_cookie(token, secure=secure)])


@post("/console/sign-out", status_code=303, include_in_schema=False)
async def sign_out() -> Redirect:
    return Redirect("/console/sign-in", status_code=303, cookies=[cleared_token_cookie()])


@get("/console/rows/{name:str}", include_in_schema=False)
async def extra_row(
    request: Request[Any, Any, Any],
    name: FromPath[str],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    lang: NamedDependency[Lang],
    index: Annotated[int, QueryParameter(ge=0, le=49)],
) -> Template:
    """One more empty row of partners, benefits or obligations (htmx's 'add a row')."""
    if name not in ("partners", "benefits", "obligations"):
        raise HTTPException(status_code=404, detail=f"no {name} rows")
    return page(
        request,
        "partials/row.html",
        lang=lang,
        principal=principal,
        list_name=name,
        index=index,
        **draft_page_context({}),
    )


def sign_in_redirect(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    location = f"/console/sign-in?next={target}"
    if request.headers.get("hx-request"):
        # htmx swaps the body of a redirect into the page; it should leave the page instead.
        return Response(b"", status_code=401, headers={"HX-Redirect": location})
    return Redirect(location, status_code=303)


def error_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A refusal as a page that says why, with the status code the API would answer."""
    problem = problem_of(error)
    if problem is None:
        return internal_error(request, error)
    lang = provide_lang(request)
    principal = request.scope["state"].get("principal")
    forbidden = isinstance(error, (Forbidden, PermissionDeniedException))
    return page(
        request,
        "error.html",
        lang=lang,
        principal=principal,
        problem=problem,
        heading="forbidden" if forbidden else "not_found" if status_of(problem) == 404 else "error",
        status_code=status_of(problem),
    )


def console_router(secret: str) -> Router:
    csrf = CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_path="/console",
        cookie_samesite="strict",
        cookie_httponly=True,
        header_name="x-csrftoken",
    )
    static = create_static_files_router(
        path="/console/static", directories=[CONSOLE_DIR / "static"], include_in_schema=False
    )
    return Router(
        path="/",
        route_handlers=[
            sign_in_form,
            sign_in,
            sign_out,
            extra_row,
            ConsolePages,
            ConsoleCommands,
            ConsoleAudit,
            static,
        ],
        dependencies={
            "principal": Provide(console_principal),
            "optional_principal": Provide(optional_principal),
            "lang": Provide(provide_lang, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(CSRFMiddleware, config=csrf)],
        # Each kind the API turns into problem+json, here a page: a handler for a more specific
        # type on the app would otherwise win over this router's catch-all.
        exception_handlers={
            **dict.fromkeys(PROBLEMS, error_page),
            Exception: error_page,
            SignInRequired: sign_in_redirect,
        },
        include_in_schema=False,
    )
