"""One way to answer with a console page: the template, the words, who is signed in."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Template

from registry.access import Principal
from registry.api.console.session import LANG_COOKIE
from registry.api.problems import PROBLEMS
from registry.console.i18n import Lang, translate
from registry.facts import Role
from registry.principles.model import PRINCIPLE_TITLES, Principle


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    lang: Lang,
    principal: Principal | None,
    status_code: int = 200,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    def t(key: str, **values: Any) -> str:
        text = translate(key, lang)
        return text.format(**values) if values else text

    def principle_title(principle: str) -> str:
        english, indonesian = PRINCIPLE_TITLES[Principle(principle)]
        return indonesian if lang is Lang.ID else english

    other = Lang.EN if lang is Lang.ID else Lang.ID
    query = {**request.query_params, "lang": other.value}
    answer = Template(
        template_name=template,
        status_code=status_code,
        context={
            "t": t,
            "lang": lang.value,
            "principle_title": principle_title,
            "principal": principal,
            "roles": Role,
            "switch_language_url": f"{request.url.path}?{urlencode(query)}",
            **context,
        },
        cookies=[*(cookies or []), Cookie(key=LANG_COOKIE, value=lang.value, path="/console")],
    )
    return answer


def problem_of(error: Exception) -> ProblemDetailsException | None:
    """The API's RFC 9457 problem for an error the domain raises on purpose; None for a bug."""
    for kind in type(error).__mro__:
        convert = PROBLEMS.get(kind)
        if convert is not None:
            return convert(error)
    return None


def field_errors(problem: ProblemDetailsException) -> dict[str, str]:
    """Field path -> message, for the inputs of a form that the API would have refused."""
    errors = (problem.extra or {}).get("errors", []) if isinstance(problem.extra, Mapping) else []
    return {str(e.get("field", "")): str(e.get("message", "")) for e in errors}


def status_of(problem: ProblemDetailsException) -> int:
    return int(problem.status_code or HTTPStatus.BAD_REQUEST)
