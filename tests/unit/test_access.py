"""The roles table as a matrix: every role against every action, own region and others'."""

from __future__ import annotations

import pytest

from registry.access import Action, Forbidden, Parties, Principal, authorize
from registry.facts import Role

TANGERANG, SURABAYA, BANDUNG = "36.71", "35.78", "32.73"
PROPOSAL = Parties(initiator=TANGERANG, regions=frozenset({TANGERANG, SURABAYA}))

official_here = Principal("t1", "desk tangerang", Role.OFFICIAL, TANGERANG)
official_partner = Principal("t2", "desk surabaya", Role.OFFICIAL, SURABAYA)
official_elsewhere = Principal("t3", "desk bandung", Role.OFFICIAL, BANDUNG)
reviewer_party = Principal("t4", "apeksi surabaya", Role.REVIEWER, SURABAYA)
reviewer_other = Principal("t5", "apeksi bandung", Role.REVIEWER, BANDUNG)
reviewer_unbound = Principal("t6", "apeksi pusat", Role.REVIEWER, None)
auditor = Principal("t7", "inspektorat", Role.AUDITOR, None)
admin = Principal("t8", "operator", Role.ADMIN, None)

EVERYONE = [
    official_here,
    official_partner,
    official_elsewhere,
    reviewer_party,
    reviewer_other,
    reviewer_unbound,
    auditor,
    admin,
]
ALLOWED: dict[Action, set[Principal]] = {
    Action.SUBMIT: {official_here, official_partner, official_elsewhere},
    Action.REVISE: {official_here},
    Action.WITHDRAW: {official_here},
    Action.RECORD_LEGAL_APPROVAL: {official_here},
    Action.SIGN: {official_here},
    Action.TERMINATE: {official_here, admin},
    Action.REVIEW: {reviewer_other, reviewer_unbound},
    Action.READ: set(EVERYONE),
    Action.READ_LOG: {auditor, admin},
    Action.AUDIT: {auditor, admin},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("principal", EVERYONE, ids=lambda p: p.name)
def test_the_roles_table(action: Action, principal: Principal) -> None:
    if principal in ALLOWED[action]:
        authorize(principal, action, PROPOSAL)
    else:
        with pytest.raises(Forbidden) as refused:
            authorize(principal, action, PROPOSAL)
        assert refused.value.action is action
        assert refused.value.reason


def test_every_action_has_a_rule_and_a_row_in_this_matrix() -> None:
    assert set(ALLOWED) == set(Action)


def test_an_official_without_a_region_cannot_submit() -> None:
    with pytest.raises(Forbidden):
        authorize(Principal("t9", "unbound", Role.OFFICIAL, None), Action.SUBMIT)


def test_a_reviewer_whose_region_is_a_partner_is_refused_with_the_reason() -> None:
    with pytest.raises(Forbidden, match=r"35\.78 is a party"):
        authorize(reviewer_party, Action.REVIEW, PROPOSAL)
