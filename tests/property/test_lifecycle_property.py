"""For random command sequences the events tell the whole story and the lifecycle holds."""

from __future__ import annotations

import datetime as dt

from hypothesis import event, given, settings
from hypothesis import strategies as st

from events.codec import Codec
from registry.commands import (
    Command,
    RecordLegalApproval,
    Review,
    Revise,
    Sign,
    Submit,
    Terminate,
    Withdraw,
)
from registry.errors import DomainError, IllegalTransition
from registry.event_types import EVENT_TYPES, Decision, Event, Override, ProposalAssessed
from registry.facts import Actor
from registry.principles import Principle, assess
from registry.proposal.category import Authority, missing_approvals
from registry.proposal.decide import decide
from registry.proposal.state import Proposal, initial_state
from registry.proposal.status import TERMINAL, CommandName, Status, allows
from registry.terms import Terms
from tests.unit.builders import (
    OFFICIAL,
    PID,
    REFERENCE,
    REVIEWER,
    RULESET,
    SURABAYA,
    apply,
    facts,
    foreign,
    institution,
    sister_city_terms,
    terms,
    with_dprd,
)

VARIANTS: tuple[Terms, ...] = (
    terms(),  # KSDD that passes
    sister_city_terms(),  # KSDPL
    with_dprd(sister_city_terms()),  # KSDPL with its DPRD decision in the terms
    terms([foreign("Haifa", "IL")]),  # fails sovereignty
    terms([institution("JICA", "JP")], legal_basis=()),  # KSDLL failing legal compliance
)

C = CommandName
NEXT: dict[CommandName, Status] = {
    C.SUBMIT: Status.SUBMITTED,
    C.REVISE: Status.SUBMITTED,
    C.APPROVE: Status.APPROVED,
    C.REJECT: Status.REJECTED,
    C.REQUEST_REVISION: Status.REVISION_REQUESTED,
    C.WITHDRAW: Status.WITHDRAWN,
    C.SIGN: Status.ACTIVE,
    C.TERMINATE: Status.TERMINATED,
}

ALL_OVERRIDES = tuple(
    Override(principle=p, justification="Dipertimbangkan oleh rapat pleno APEKSI")
    for p in Principle
)
PARTY_REVIEWER = Actor(id="apeksi-reviewer-2", role=REVIEWER.role, region=SURABAYA)


def command_for(name: CommandName, choice: int) -> tuple[Command, Actor]:
    """A command of each name; `choice` varies terms, comments, overrides, authority, reviewer."""
    reviewer = PARTY_REVIEWER if choice == 4 else REVIEWER
    variant = VARIANTS[choice % len(VARIANTS)]
    comment = None if choice == 0 else "Perlu rencana aksi yang terukur."
    match name:
        case C.SUBMIT:
            return Submit(proposal_id=PID, initiator="36.71", terms=variant), OFFICIAL
        case C.REVISE:
            return Revise(proposal_id=PID, terms=variant), OFFICIAL
        case C.APPROVE | C.REJECT | C.REQUEST_REVISION:
            overrides = ALL_OVERRIDES if choice % 2 else ()
            decision = Decision(name.value)
            review = Review(
                proposal_id=PID, decision=decision, comment=comment, overrides=overrides
            )
            return review, reviewer
        case C.WITHDRAW:
            return Withdraw(proposal_id=PID, reason="Prioritas anggaran berubah"), OFFICIAL
        case C.RECORD_LEGAL_APPROVAL:
            authority = list(Authority)[choice % 3]
            day = dt.date(2026, 11, 1)
            return RecordLegalApproval(
                proposal_id=PID, authority=authority, reference="B-1/2026", date=day
            ), OFFICIAL
        case C.SIGN:
            return Sign(
                proposal_id=PID, signed_on=dt.date(2026, 12, 15), document_ref="PKS/1",
                signatories=("Wali Kota",),
            ), OFFICIAL  # fmt: skip
        case C.TERMINATE:
            return Terminate(
                proposal_id=PID, reason="Kesepakatan bersama", effective_on=dt.date(2028, 1, 1)
            ), OFFICIAL


def replay(events: list[Event]) -> Proposal:
    return apply(initial_state(), events)


# Every command can come at any time; the forward ones come more often, so that sequences also
# reach signing and termination, past the withdrawals and rejections that end most of them.
WEIGHTED = [*CommandName, C.APPROVE, C.APPROVE, C.RECORD_LEGAL_APPROVAL, C.RECORD_LEGAL_APPROVAL]
WEIGHTED += [C.RECORD_LEGAL_APPROVAL, C.SIGN, C.SIGN, C.TERMINATE, C.REVISE]
STEP = st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 4))
OPENING = st.tuples(st.just(C.SUBMIT), st.integers(0, 4))
OPENED = st.builds(lambda first, rest: [first, *rest], OPENING, st.lists(STEP, max_size=24))
STEPS = OPENED  # commands on a proposal that does not exist are covered by the unit table
CODEC = Codec(EVENT_TYPES)


def check_step(seen: Proposal, name: CommandName, events: list[Event], after: Proposal) -> None:
    """What every accepted command must leave behind."""
    assert allows(seen.status, name)
    assert seen.status not in TERMINAL
    assert after.version == seen.version + len(events)
    if name in NEXT:
        assert after.status is NEXT[name]
    else:
        assert after.status is seen.status
    if name in (C.SUBMIT, C.REVISE):
        assert isinstance(events[-1], ProposalAssessed)
        assert after.terms is not None
        assert after.assessment == assess(after.initiator, after.terms, REFERENCE, RULESET)
    if after.status is Status.ACTIVE and after.terms is not None and after.category is not None:
        recorded = [a.authority for a in after.legal_approvals]
        assert not missing_approvals(after.category, after.terms, recorded, RULESET.legal_approvals)


@settings(max_examples=500, deadline=None)
@given(STEPS)
def test_folding_the_events_gives_the_state_the_decider_saw(
    steps: list[tuple[CommandName, int]],
) -> None:
    state, history = initial_state(), list[Event]()
    for name, choice in steps:
        assert replay(history) == state
        events = attempt(*command_for(name, choice), state)
        if isinstance(events, DomainError):
            # Only the lifecycle refuses with IllegalTransition; every other refusal is a rule.
            assert allows(state.status, name) != isinstance(events, IllegalTransition)
            continue
        after = apply(state, events)
        check_step(state, name, events, after)
        state, history = after, [*history, *events]
    event(f"ended {state.status}")
    stored = [CODEC.decode(*_encoded(e)) for e in history]
    assert replay(stored) == state


def attempt(command: Command, actor: Actor, state: Proposal) -> list[Event] | DomainError:
    try:
        return decide(command, state, facts(actor))
    except DomainError as refused:
        return refused


def _encoded(event: Event) -> tuple[str, int, bytes]:
    encoded = CODEC.encode(event)
    return encoded.type, encoded.schema_version, encoded.data
