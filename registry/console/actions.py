"""Which forms a proposal page offers: the roles table and the lifecycle, asked, not copied."""

from __future__ import annotations

from registry.access import Action, Forbidden, Parties, Principal, authorize
from registry.proposal.status import CommandName, Status, allows
from registry.proposal.view import ProposalView

# A form per action, offered when the lifecycle allows one of its commands now.
_COMMANDS: dict[Action, tuple[CommandName, ...]] = {
    Action.REVIEW: (CommandName.APPROVE, CommandName.REJECT, CommandName.REQUEST_REVISION),
    Action.REVISE: (CommandName.REVISE,),
    Action.WITHDRAW: (CommandName.WITHDRAW,),
    Action.RECORD_LEGAL_APPROVAL: (CommandName.RECORD_LEGAL_APPROVAL,),
    Action.SIGN: (CommandName.SIGN,),
    Action.TERMINATE: (CommandName.TERMINATE,),
}


def parties_of_view(view: ProposalView) -> Parties:
    partners = {p.region_code for p in view.partners if p.region_code is not None}
    initiator = view.initiator.region_code
    return Parties(initiator=initiator, regions=frozenset({initiator, *partners}))


def may(principal: Principal, action: Action, parties: Parties | None = None) -> bool:
    try:
        authorize(principal, action, parties)
    except Forbidden:
        return False
    return True


def available_actions(principal: Principal, view: ProposalView) -> frozenset[Action]:
    """The actions this principal may take on this proposal in its current status."""
    # An expired agreement is stored as active; the decider treats it so, and so do we.
    status = Status.ACTIVE if view.status is Status.EXPIRED else view.status
    parties = parties_of_view(view)
    return frozenset(
        action
        for action, commands in _COMMANDS.items()
        if any(allows(status, command) for command in commands) and may(principal, action, parties)
    )
