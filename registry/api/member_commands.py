"""Commands on an existing proposal: each needs If-Match and answers the proposal."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from registry.access import Action, Principal
from registry.api.commanding import ETAG_HEADER, proposal_response, run_command
from registry.api.context import command_metadata, expected_version
from registry.api.documentation import COMMANDS, WRITE, CommandOperation
from registry.api.examples import (
    DraftBody,
    LegalApproval,
    Review,
    Signing,
    Termination,
    Withdrawal,
)
from registry.api.reading import ReadSide
from registry.commands import Command
from registry.errors import ValidationFailed
from registry.ids import ProposalId
from registry.proposal.view import ProposalView
from registry.services import Services
from registry.validation import validate_draft, validate_review


class ProposalCommands(Controller):
    path = "/v1/proposals"
    tags = ("proposals",)

    @post(
        "/{proposal_id:uuid}/revisions",
        operation_id=COMMANDS["revise"],
        operation_class=CommandOperation,
        summary="Revise a proposal",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def revise(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: DraftBody,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        expected = expected_version(request)
        state = await read_side.state(proposal_id)
        # An unknown proposal has no initiator to judge the body by: the decider's 404 answers.
        errors = (
            validate_draft(data, services.reference, state.initiator) if state.initiator else []
        )
        if errors:
            raise ValidationFailed(errors)
        handled = await run_command(
            data.to_revise(proposal_id),
            Action.REVISE,
            metadata=command_metadata(request, principal),
            services=services,
            principal=principal,
            read_side=read_side,
            expected=expected,
        )
        return proposal_response(read_side.view(handled.state))

    @post(
        "/{proposal_id:uuid}/reviews",
        operation_id=COMMANDS["review"],
        operation_class=CommandOperation,
        summary="Review a proposal",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def review(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: Review,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        expected = expected_version(request)
        errors = validate_review(data)
        if errors:
            raise ValidationFailed(errors)
        return await self._simple(
            data.to_command(proposal_id),
            Action.REVIEW,
            request,
            services,
            principal,
            read_side,
            expected,
        )

    @post(
        "/{proposal_id:uuid}/withdrawal",
        operation_id=COMMANDS["withdraw"],
        operation_class=CommandOperation,
        summary="Withdraw a proposal",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: Withdrawal,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        return await self._simple(
            data.to_command(proposal_id),
            Action.WITHDRAW,
            request,
            services,
            principal,
            read_side,
            expected_version(request),
        )

    @post(
        "/{proposal_id:uuid}/legal-approvals",
        operation_id=COMMANDS["recordLegalApproval"],
        operation_class=CommandOperation,
        summary="Record a legal approval",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def record_legal_approval(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: LegalApproval,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        return await self._simple(
            data.to_command(proposal_id),
            Action.RECORD_LEGAL_APPROVAL,
            request,
            services,
            principal,
            read_side,
            expected_version(request),
        )

    @post(
        "/{proposal_id:uuid}/signing",
        operation_id=COMMANDS["sign"],
        operation_class=CommandOperation,
        summary="Sign an approved agreement",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def sign(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: Signing,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        return await self._simple(
            data.to_command(proposal_id),
            Action.SIGN,
            request,
            services,
            principal,
            read_side,
            expected_version(request),
        )

    @post(
        "/{proposal_id:uuid}/termination",
        operation_id=COMMANDS["terminate"],
        operation_class=CommandOperation,
        summary="Terminate an agreement",
        status_code=200,
        responses=WRITE,
        response_headers=[ETAG_HEADER],
    )
    async def terminate(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[ProposalId],
        data: Termination,
        services: NamedDependency[Services],
        principal: NamedDependency[Principal],
        read_side: NamedDependency[ReadSide],
    ) -> Response[ProposalView]:
        return await self._simple(
            data.to_command(proposal_id),
            Action.TERMINATE,
            request,
            services,
            principal,
            read_side,
            expected_version(request),
        )

    async def _simple(
        self,
        command: Command,
        action: Action,
        request: Request[Any, Any, Any],
        services: Services,
        principal: Principal,
        read_side: ReadSide,
        expected: int,
    ) -> Response[ProposalView]:
        handled = await run_command(
            command,
            action,
            metadata=command_metadata(request, principal),
            services=services,
            principal=principal,
            read_side=read_side,
            expected=expected,
        )
        return proposal_response(read_side.view(handled.state))
