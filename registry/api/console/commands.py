"""The console's forms: each becomes the API's own body and command, through `run_command`.

A refused command re-renders its page with the API's reason and the inputs as typed; a
version conflict shows what changed meanwhile. Nothing is appended in either case.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pycountry
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from events.errors import VersionConflict
from registry.access import Action, Principal, authorize
from registry.api.commanding import run_command
from registry.api.console.pages import proposal_context
from registry.api.console.rendering import field_errors, page, problem_of, status_of
from registry.api.context import command_metadata
from registry.api.reading import ReadSide
from registry.bodies import ProposalDraft
from registry.commands import Command
from registry.console import forms
from registry.console.i18n import Lang
from registry.errors import FieldError, ValidationFailed
from registry.ids import ProposalId, new_proposal_id
from registry.reference import Reference, load_reference
from registry.services import Services
from registry.validation import validate_draft

Answer = Template | Redirect
ROWS_SHOWN = {"partners": 2, "benefits": 3, "obligations": 3}


async def read_form(request: Request[Any, Any, Any]) -> forms.Form:
    data = await request.form()
    return {key: data.getall(key) for key in data}


def first_values(form: forms.Form) -> dict[str, str]:
    return {key: values[0] for key, values in form.items() if values}


def draft_page_context(values: dict[str, str]) -> dict[str, Any]:
    """The reference data the submission form offers as choices, and enough rows."""
    rows = {name: forms.rows_needed(values, name, shown) for name, shown in ROWS_SHOWN.items()}
    return {"values": values, "rows": rows, **form_choices()}


@functools.cache
def form_choices() -> dict[str, Any]:
    """Sorted once per process: every form render and every added row offers the same lists."""
    reference = load_reference()
    return {
        "affairs": sorted(reference.affairs.values(), key=lambda a: a.name_id),
        "goals": sorted(reference.goals.values(), key=lambda g: g.number),
        "targets": list(reference.targets.values()),
        "regions": sorted(reference.regions.values(), key=lambda r: r.name),
        "countries": sorted(
            ((c.alpha_2, reference.country_name(c.alpha_2)) for c in pycountry.countries),
            key=lambda pair: pair[1],
        ),
    }


def checked_draft(form: forms.Form, reference: Reference, initiator: str) -> ProposalDraft:
    """The form's draft, judged exactly as the API judges a body for this initiator."""
    draft = forms.draft_from(form)
    errors = validate_draft(draft, reference, initiator)
    if errors:
        raise ValidationFailed(errors)
    return draft


class ConsoleCommands(Controller):
    path = "/console/proposals"
    include_in_schema = False

    @get("/new")
    async def new(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        lang: NamedDependency[Lang],
    ) -> Template:
        authorize(principal, Action.SUBMIT)
        values = {"partners[0].country": "ID"}
        return page(
            request,
            "draft.html",
            lang=lang,
            principal=principal,
            target=None,
            **draft_page_context(values),
        )

    @post("/", status_code=303)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        lang: NamedDependency[Lang],
    ) -> Answer:
        authorize(principal, Action.SUBMIT)
        assert principal.region is not None
        form = await read_form(request)
        region = principal.region

        async def send() -> ProposalId:
            draft = checked_draft(form, services.reference, region)
            proposal_id = new_proposal_id()
            await run_command(
                draft.to_submit(proposal_id, region),
                Action.SUBMIT,
                metadata=command_metadata(request, principal),
                services=services,
                principal=principal,
                read_side=read_side,
                expected=None,
            )
            return proposal_id

        return await self._draft_answer(request, services, principal, lang, form, None, send)

    @get("/{proposal_id:uuid}/revision")
    async def revision_form(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        lang: NamedDependency[Lang],
    ) -> Template:
        view = await read_side.current(proposal_id)
        if view is None:
            raise NotFoundException(f"proposal {proposal_id} is unknown")
        values = forms.form_values(msgspec.to_builtins(view))
        values["version"] = str(view.version)
        return page(
            request,
            "draft.html",
            lang=lang,
            principal=principal,
            target=view,
            selected_fields=set(view.fields),
            selected_targets=set(view.sdg_targets),
            **draft_page_context(values),
        )

    @post("/{proposal_id:uuid}/revision", status_code=303)
    async def revise(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        lang: NamedDependency[Lang],
    ) -> Answer:
        form = await read_form(request)
        state = await read_side.state(proposal_id)
        if state.terms is None:
            raise NotFoundException(f"proposal {proposal_id} is unknown")

        async def send() -> ProposalId:
            draft = checked_draft(form, services.reference, state.initiator)
            await run_command(
                draft.to_revise(proposal_id),
                Action.REVISE,
                metadata=command_metadata(request, principal),
                services=services,
                principal=principal,
                read_side=read_side,
                expected=_version(form),
            )
            return proposal_id

        target = read_side.view(state)
        return await self._draft_answer(request, services, principal, lang, form, target, send)

    async def _draft_answer(
        self,
        request: Request[Any, Any, Any],
        services: Services,
        principal: Principal,
        lang: Lang,
        form: forms.Form,
        target: Any,
        send: Callable[[], Awaitable[ProposalId]],
    ) -> Answer:
        try:
            proposal_id = await send()
        except Exception as error:
            problem = problem_of(error)
            if problem is None:
                raise
            values = first_values(form)
            return page(
                request,
                "draft.html",
                lang=lang,
                principal=principal,
                target=target,
                problem=problem,
                errors=field_errors(problem),
                conflict=error if isinstance(error, VersionConflict) else None,
                status_code=status_of(problem),
                selected_fields=set(form.get("fields", ())),
                selected_targets=set(form.get("sdg_targets", ())),
                **draft_page_context(values),
            )
        return Redirect(f"/console/proposals/{proposal_id}?saved=1", status_code=303)

    @post("/{proposal_id:uuid}/{command:str}", status_code=303)
    async def command(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        command: FromPath[str],
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        lang: NamedDependency[Lang],
    ) -> Answer:
        parse = COMMAND_FORMS.get(command)
        if parse is None:
            raise NotFoundException(f"the console has no {command} form")
        form = await read_form(request)
        try:
            action, built = parse(form, proposal_id)
            await run_command(
                built,
                action,
                metadata=command_metadata(request, principal),
                services=services,
                principal=principal,
                read_side=read_side,
                expected=_version(form),
            )
        except Exception as error:
            problem = problem_of(error)
            if problem is None:
                raise
            context = await proposal_context(read_side, principal, proposal_id)
            return page(
                request,
                "proposal.html",
                lang=lang,
                principal=principal,
                status_code=status_of(problem),
                problem=problem,
                errors=field_errors(problem),
                failed_form=command,
                values=first_values(form),
                conflict=error if isinstance(error, VersionConflict) else None,
                **context,
            )
        return Redirect(f"/console/proposals/{proposal_id}?saved={command}", status_code=303)


def _version(form: forms.Form) -> int:
    """The version the form was filled against: the console's If-Match."""
    text = forms.one(form, "version")
    if not text.isdigit() or len(text) > 9:
        raise ValidationFailed(
            [FieldError("version", "the page's version is missing; reload the page")]
        )
    return int(text)


Parse = Callable[[forms.Form, ProposalId], tuple[Action, Command]]

COMMAND_FORMS: dict[str, Parse] = {
    "review": lambda f, p: (Action.REVIEW, forms.review_from(f).to_command(p)),
    "withdrawal": lambda f, p: (Action.WITHDRAW, forms.withdrawal_from(f).to_command(p)),
    "legal-approval": lambda f, p: (
        Action.RECORD_LEGAL_APPROVAL,
        forms.legal_approval_from(f).to_command(p),
    ),
    "signing": lambda f, p: (Action.SIGN, forms.signing_from(f).to_command(p)),
    "termination": lambda f, p: (Action.TERMINATE, forms.termination_from(f).to_command(p)),
}
