"""Identifiers: proposal ids, their stream ids, and the formats of codes the registry uses."""

from __future__ import annotations

import uuid
from typing import Annotated, NewType

import msgspec

ProposalId = NewType("ProposalId", uuid.UUID)

# Kemendagri codes (Permendagri 58/2021 format): `NN` a province, `NN.NN` a kabupaten or kota.
RegionCode = Annotated[str, msgspec.Meta(pattern=r"^\d{2}(\.\d{2})?$", examples=["36.71"])]
CountryCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$", examples=["JP"])]
SdgTargetCode = Annotated[str, msgspec.Meta(pattern=r"^\d{1,2}\.[0-9a-z]{1,2}$", examples=["11.6"])]
FieldCode = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z][a-z_]*$", max_length=64, examples=["lingkungan_hidup"])
]

STREAM_PREFIX = "proposal-"


def stream_id(proposal_id: ProposalId) -> str:
    """The event stream of one proposal: `proposal-<uuid>`."""
    return f"{STREAM_PREFIX}{proposal_id}"


def proposal_id_of(stream: str) -> ProposalId:
    """The proposal id a stream id names; ValueError for a stream that is not a proposal's."""
    if not stream.startswith(STREAM_PREFIX):
        raise ValueError(f"{stream!r} is not a proposal stream")
    return ProposalId(uuid.UUID(stream.removeprefix(STREAM_PREFIX)))


def new_proposal_id() -> ProposalId:
    """A fresh random proposal id (for the edge; the domain never draws one itself)."""
    return ProposalId(uuid.uuid4())
