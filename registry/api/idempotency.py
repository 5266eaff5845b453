"""Idempotency-Key for submissions: the key names the proposal and its events, so a retry is an
idempotent append in the store instead of a second proposal, with no table of keys to keep."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from registry.bodies import ProposalDraft
from registry.ids import ProposalId
from registry.proposal.state import Proposal

# Fixed forever: changing it would give every earlier key a new proposal id.
_NAMESPACE = uuid.UUID("6f1c9a52-3b7e-4c39-9d0e-5a1e2c3d4b5f")


@dataclass(frozen=True, slots=True)
class IdempotentSubmission:
    region: str
    key: str

    @property
    def proposal_id(self) -> ProposalId:
        # The region is part of the name: two cities choosing the same key never collide.
        return ProposalId(uuid.uuid5(_NAMESPACE, f"proposal\x00{self.region}\x00{self.key}"))

    def event_id(self, index: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"event\x00{self.proposal_id}\x00{index}")

    def same_submission(self, submitted: Proposal, draft: ProposalDraft) -> bool:
        """Whether the proposal as first submitted is the one this request asks for."""
        return submitted.initiator == self.region and submitted.terms == draft.to_terms()
