"""The proposal collection: the filtered list, and submission (with Idempotency-Key)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, QueryParameter

from events.outages import database_unreachable
from projections.queries import DEFAULT_LIMIT, ProposalFilter, ProposalPage
from registry.access import Action, Principal, authorize
from registry.api.commanding import ETAG_HEADER, proposal_response, run_command
from registry.api.context import command_metadata
from registry.api.documentation import READ, SUBMIT, SUBMIT_PROPOSAL, SubmitOperation
from registry.api.examples import DraftBody
from registry.api.fast_submit import raise_handed_over
from registry.api.idempotency import IdempotentSubmission
from registry.api.lists import Country, Cursor, Limit, RegionCode, Sdg, Text, proposal_page
from registry.api.problems import IdempotencyKeyReused
from registry.api.reading import ReadSide
from registry.bodies import ProposalDraft
from registry.errors import IllegalTransition, ValidationFailed
from registry.ids import new_proposal_id
from registry.principles.model import Verdict
from registry.proposal.status import Status
from registry.proposal.view import ProposalView
from registry.services import Services
from registry.validation import validate_draft

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        min_length=1,
        max_length=200,
        description="the same key with the same body returns the same proposal",
    ),
]


class ProposalCollection(Controller):
    """The collection itself; the commands on its members are `ProposalCommands`."""

    path = "/v1/proposals"
    tags = ("proposals",)

    @get("/", summary="Proposals, filtered and paged, newest first", responses=READ)
    async def search(
        self,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        status: Annotated[Status | None, QueryParameter()] = None,
        region: RegionCode = None,
        partner_country: Country = None,
        sdg: Sdg = None,
        outcome: Annotated[Verdict | None, QueryParameter()] = None,
        q: Text = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[ProposalPage]:
        filters = ProposalFilter(
            status=status,
            region=region,
            partner_country=partner_country,
            sdg=sdg,
            outcome=outcome,
            q=q,
        )
        return await proposal_page(services, principal, filters, limit, cursor)

    @post(
        "/",
        status_code=201,
        summary="Submit a proposal",
        operation_id=SUBMIT_PROPOSAL,
        operation_class=SubmitOperation,
        response_headers=[ETAG_HEADER],
        description="An official submits for the token's region; the proposal is assessed at once.",
        responses=SUBMIT,
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: DraftBody,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ProposalView]:
        raise_handed_over(request)
        authorize(principal, Action.SUBMIT)
        assert principal.region is not None
        errors = validate_draft(data, services.reference, principal.region)
        if errors:
            raise ValidationFailed(errors)
        if idempotency_key is None:
            handled = await run_command(
                data.to_submit(new_proposal_id(), principal.region),
                Action.SUBMIT,
                metadata=command_metadata(request, principal),
                services=services,
                principal=principal,
                read_side=read_side,
                expected=None,
                # A random id minted above: its stream is empty, reading it would only say so.
                new_stream=True,
            )
            return proposal_response(read_side.view(handled.state), 201)
        return await self._submit_once(
            request, data, services, principal, read_side, idempotency_key
        )

    async def _submit_once(
        self,
        request: Request[Any, Any, Any],
        data: ProposalDraft,
        services: Services,
        principal: Principal,
        read_side: ReadSide,
        key: str,
    ) -> Response[ProposalView]:
        assert principal.region is not None
        once = IdempotentSubmission(principal.region, key)
        earlier = await read_side.state(once.proposal_id, up_to=1)
        if earlier.terms is None:
            try:
                handled = await run_command(
                    data.to_submit(once.proposal_id, principal.region),
                    Action.SUBMIT,
                    metadata=command_metadata(request, principal),
                    services=services,
                    principal=principal,
                    read_side=read_side,
                    expected=None,
                    event_ids=once.event_id,
                )
            except IllegalTransition:
                # A concurrent retry with this key submitted between our read and our decision:
                # its proposal is the answer to this request too, once the read side has it.
                await read_side.caught_up(await services.store.head_position())
            else:
                try:
                    return await self._answer_once(once, data, read_side)
                except Exception as error:
                    # The submission is recorded: a database gone away since must not turn
                    # that into an error. What was appended is the answer (the rare race of
                    # a concurrent retry with another body is checked when the database is up).
                    if not database_unreachable(error):
                        raise
                    return proposal_response(read_side.view(handled.state), 201)
        return await self._answer_once(once, data, read_side)

    @staticmethod
    async def _answer_once(
        once: IdempotentSubmission, data: ProposalDraft, read_side: ReadSide
    ) -> Response[ProposalView]:
        """The proposal this key names, if it was submitted with this body."""
        earlier = await read_side.state(once.proposal_id, up_to=1)
        if not once.same_submission(earlier, data):
            raise IdempotencyKeyReused(
                f"Idempotency-Key {once.key!r} was used for another proposal body"
            )
        return proposal_response(read_side.view(await read_side.state(once.proposal_id)), 201)
