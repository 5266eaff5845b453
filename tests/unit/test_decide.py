"""The proposal decider: the lifecycle of API.md, pair by pair, and the rules of each command."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from registry.commands import (
    Command,
    Revise,
    Terminate,
    Withdraw,
)
from registry.errors import (
    CommentRequired,
    DateOutOfOrder,
    IllegalTransition,
    MissingLegalApprovals,
    OverrideRequired,
    ReviewerIsParty,
    UnknownProposal,
)
from registry.event_types import (
    AgreementSigned,
    Decision,
    Override,
    ProposalAssessed,
    ProposalReviewed,
    ProposalRevised,
    ProposalSubmitted,
)
from registry.facts import Actor
from registry.principles import Principle, Verdict
from registry.proposal.category import Authority, Category
from registry.proposal.decide import decide
from registry.proposal.state import Proposal, initial_state
from registry.proposal.status import CommandName, Status
from tests.unit.builders import (
    OFFICIAL,
    PID,
    REVIEWER,
    SURABAYA,
    TANGERANG,
    approval,
    facts,
    foreign,
    institution,
    review,
    run,
    sign,
    sister_city_terms,
    submit,
    terms,
    with_dprd,
)

# Rows: the status a proposal is in; columns: the command; cells: the status after it, or `-`
# where the lifecycle refuses the command (409 naming both).
LIFECYCLE = """
status              submit    revise    approve  reject   request_revision   withdraw  record_legal_approval sign   terminate
new                 submitted -         -        -        -                  -         -                     -      -
submitted           -         -         approved rejected revision_requested withdrawn -                     -      -
revision_requested  -         submitted -        -        -                  withdrawn -                     -      -
approved            -         -         -        -        -                  -         approved              active -
rejected            -         -         -        -        -                  -         -                     -      -
withdrawn           -         -         -        -        -                  -         -                     -      -
active              -         -         -        -        -                  -         -                     -      terminated
terminated          -         -         -        -        -                  -         -                     -      -
"""  # noqa: E501


def _table() -> list[tuple[Status, CommandName, Status | None]]:
    header, *rows = [line.split() for line in LIFECYCLE.strip().splitlines()]
    return [
        (Status(row[0]), CommandName(name), None if cell == "-" else Status(cell))
        for row in rows
        for name, cell in zip(header[1:], row[1:], strict=True)
    ]


def command_for(name: CommandName) -> tuple[Command, Actor]:
    """A valid command of each name, for the proposal the builders submit."""
    match name:
        case CommandName.SUBMIT:
            return submit()
        case CommandName.REVISE:
            return Revise(proposal_id=PID, terms=terms(title="Festival kota, direvisi")), OFFICIAL
        case CommandName.APPROVE | CommandName.REJECT | CommandName.REQUEST_REVISION:
            return review(Decision(name.value))
        case CommandName.WITHDRAW:
            return Withdraw(proposal_id=PID, reason="Anggaran dialihkan"), OFFICIAL
        case CommandName.RECORD_LEGAL_APPROVAL:
            return approval(Authority.KEMENDAGRI)
        case CommandName.SIGN:
            return sign()
        case CommandName.TERMINATE:
            return Terminate(
                proposal_id=PID, reason="Kesepakatan bersama", effective_on=dt.date(2028, 1, 1)
            ), OFFICIAL


PATHS: dict[Status, tuple[CommandName, ...]] = {
    Status.NEW: (),
    Status.SUBMITTED: (CommandName.SUBMIT,),
    Status.REVISION_REQUESTED: (CommandName.SUBMIT, CommandName.REQUEST_REVISION),
    Status.APPROVED: (CommandName.SUBMIT, CommandName.APPROVE),
    Status.REJECTED: (CommandName.SUBMIT, CommandName.REJECT),
    Status.WITHDRAWN: (CommandName.SUBMIT, CommandName.WITHDRAW),
    Status.ACTIVE: (CommandName.SUBMIT, CommandName.APPROVE, CommandName.SIGN),
    Status.TERMINATED: (
        CommandName.SUBMIT,
        CommandName.APPROVE,
        CommandName.SIGN,
        CommandName.TERMINATE,
    ),
}


def state_in(status: Status) -> Proposal:
    state = run(*(command_for(name) for name in PATHS[status]))
    assert state.status is status
    return state


def test_the_table_covers_every_stored_status_and_every_command() -> None:
    pairs = {(status, name) for status, name, _ in _table()}
    stored = set(Status) - {Status.EXPIRED}
    assert pairs == {(s, c) for s in stored for c in CommandName}


@pytest.mark.parametrize(
    ("status", "name", "after"),
    _table(),
    ids=[f"{s}-{c}" for s, c, _ in _table()],
)
def test_every_status_allows_or_refuses_every_command(
    status: Status, name: CommandName, after: Status | None
) -> None:
    state = state_in(status)
    command, actor = command_for(name)
    if after is None:
        with pytest.raises(IllegalTransition) as refused:
            decide(command, state, facts(actor))
        assert (refused.value.status, refused.value.command) == (status, name)
        assert str(name) in str(refused.value)
        assert status is Status.NEW or str(status) in str(refused.value)
    else:
        assert run((command, actor), state=state).status is after


def test_a_command_on_a_proposal_that_does_not_exist_is_unknown_not_just_illegal() -> None:
    with pytest.raises(UnknownProposal):
        decide(command_for(CommandName.SIGN)[0], initial_state(), facts())


# --- submission and revision


def test_a_submission_is_recorded_then_assessed_at_once() -> None:
    events = decide(submit()[0], initial_state(), facts())
    assert [type(e) for e in events] == [ProposalSubmitted, ProposalAssessed]
    assessed = events[1]
    assert isinstance(assessed, ProposalAssessed)
    assert (assessed.ruleset, assessed.outcome) == ("2026.1", Verdict.PASS)


def test_a_revision_replaces_the_terms_and_is_assessed_again() -> None:
    state = state_in(Status.REVISION_REQUESTED)
    revised_terms = terms(legal_basis=())
    events = decide(Revise(proposal_id=PID, terms=revised_terms), state, facts())
    assert [type(e) for e in events] == [ProposalRevised, ProposalAssessed]
    after = run((Revise(proposal_id=PID, terms=revised_terms), OFFICIAL), state=state)
    assert after.terms == revised_terms
    assert after.assessment is not None
    assert after.assessment.outcome is Verdict.FAIL


@pytest.mark.parametrize(
    ("partners", "category"),
    [
        ([foreign("Kota Kitakyushu", "JP")], Category.KSDPL),
        ([institution("JICA", "JP")], Category.KSDLL),
        ([institution("JICA", "JP"), foreign("Kota Kitakyushu", "JP")], Category.KSDPL),
    ],
)
def test_the_category_is_derived_from_the_partners(
    partners: list[object], category: Category
) -> None:
    state = run(submit(terms(partners)))  # type: ignore[arg-type]
    assert state.category is category


# --- review


def test_rejecting_without_a_comment_is_refused() -> None:
    with pytest.raises(CommentRequired):
        run(submit(), review(Decision.REJECT, "  "))


def test_requesting_revision_without_a_comment_is_refused() -> None:
    with pytest.raises(CommentRequired):
        run(submit(), review(Decision.REQUEST_REVISION, None))


def test_approving_needs_no_comment() -> None:
    assert run(submit(), review(Decision.APPROVE, None)).status is Status.APPROVED


def test_a_reviewer_never_reviews_a_proposal_in_which_its_own_region_is_a_party() -> None:
    surabaya_reviewer = dataclasses.replace(REVIEWER, region=SURABAYA)
    command, _ = review(Decision.APPROVE)
    with pytest.raises(ReviewerIsParty) as refused:
        run(submit(), (command, surabaya_reviewer))
    assert refused.value.region == SURABAYA


def test_the_review_records_who_reviewed_from_which_region() -> None:
    state = state_in(Status.SUBMITTED)
    events = decide(review(Decision.APPROVE)[0], state, facts(REVIEWER))
    assert events == [
        ProposalReviewed(
            proposal_id=PID,
            decision=Decision.APPROVE,
            reviewer=REVIEWER.id,
            reviewer_region=REVIEWER.region,
            comment="Lengkapi rencana aksi.",
        )
    ]


FAILING = terms(legal_basis=(), sdg_targets=())  # fails legal_compliance and sdg_alignment


def test_approving_a_failing_proposal_without_overrides_is_refused() -> None:
    with pytest.raises(OverrideRequired) as refused:
        run(submit(FAILING), review(Decision.APPROVE))
    assert refused.value.principles == ("legal_compliance", "sdg_alignment")


def test_every_failing_principle_needs_its_own_justified_override() -> None:
    legal = Override(principle=Principle.LEGAL_COMPLIANCE, justification="PKS menyebut UU 23/2014")
    blank = Override(principle=Principle.SDG_ALIGNMENT, justification="   ")
    with pytest.raises(OverrideRequired) as refused:
        run(submit(FAILING), review(Decision.APPROVE, None, legal, blank))
    assert refused.value.principles == ("sdg_alignment",)


def test_a_failing_proposal_is_approved_with_an_override_for_each_failing_principle() -> None:
    overrides = (
        Override(principle=Principle.LEGAL_COMPLIANCE, justification="Dasar hukum ada di PKS."),
        Override(principle=Principle.SDG_ALIGNMENT, justification="Mendukung RAD TPB 2026."),
    )
    state = run(submit(FAILING), review(Decision.APPROVE, None, *overrides))
    assert state.status is Status.APPROVED
    assert state.reviews[-1].overrides == overrides


# --- legal steps and signing


def test_a_sister_city_cannot_be_signed_before_dprd_kemendagri_and_kemenlu_approve() -> None:
    approved = run(submit(sister_city_terms(), SURABAYA), review(Decision.APPROVE))
    with pytest.raises(MissingLegalApprovals) as refused:
        run(approval(Authority.KEMENDAGRI), sign(), state=approved)
    assert refused.value.category is Category.KSDPL
    assert refused.value.missing == (Authority.DPRD, Authority.KEMENLU)


def test_a_sister_city_is_signed_once_every_approval_is_recorded() -> None:
    approved = run(submit(sister_city_terms(), SURABAYA), review(Decision.APPROVE))
    steps = [approval(a) for a in (Authority.DPRD, Authority.KEMENDAGRI, Authority.KEMENLU)]
    state = run(*steps, sign(), state=approved)
    assert state.status is Status.ACTIVE
    assert [a.authority for a in state.legal_approvals] == ["dprd", "kemendagri", "kemenlu"]


def test_a_dprd_decision_in_the_terms_counts_as_the_dprd_approval() -> None:
    approved = run(submit(with_dprd(sister_city_terms()), SURABAYA), review(Decision.APPROVE))
    steps = [approval(Authority.KEMENDAGRI), approval(Authority.KEMENLU)]
    assert run(*steps, sign(), state=approved).status is Status.ACTIVE


def test_a_foreign_institution_needs_central_approval_but_no_dprd() -> None:
    approved = run(submit(terms([institution("JICA", "JP")])), review(Decision.APPROVE))
    with pytest.raises(MissingLegalApprovals) as refused:
        run(sign(), state=approved)
    assert refused.value.missing == (Authority.KEMENDAGRI, Authority.KEMENLU)


def test_a_city_to_city_agreement_is_signed_without_further_approvals() -> None:
    state = run(submit(), review(Decision.APPROVE), sign())
    assert state.status is Status.ACTIVE


def test_an_agreement_cannot_be_signed_after_its_term_has_ended() -> None:
    with pytest.raises(DateOutOfOrder):
        run(submit(), review(Decision.APPROVE), sign(dt.date(2030, 1, 1)))


def test_the_signing_is_recorded_as_commanded() -> None:
    state = state_in(Status.APPROVED)
    (event,) = decide(sign()[0], state, facts())
    assert event == AgreementSigned(
        proposal_id=PID,
        signed_on=dt.date(2026, 12, 15),
        document_ref="PKS/17/2026",
        signatories=("Wali Kota",),
    )


def test_termination_cannot_take_effect_before_the_signing() -> None:
    early = Terminate(proposal_id=PID, reason="Batal", effective_on=dt.date(2026, 1, 1))
    with pytest.raises(DateOutOfOrder):
        run((early, OFFICIAL), state=state_in(Status.ACTIVE))


def test_the_initiator_is_who_submitted() -> None:
    assert state_in(Status.SUBMITTED).initiator == TANGERANG
