"""Reference data, open to anyone without a token: principles, SDGs, regions, fields."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from registry.api.documentation import THROTTLED, PublicOperation
from registry.principles.model import PRINCIPLE_TITLES
from registry.reference import Affair, Region, SdgGoal, SdgTarget
from registry.services import Services


class PrincipleInfo(msgspec.Struct, frozen=True, kw_only=True):
    principle: str
    title_en: str
    title_id: str
    ruleset: str


class Sdgs(msgspec.Struct, frozen=True, kw_only=True):
    goals: list[SdgGoal]
    targets: list[SdgTarget]


class ReferenceRoutes(Controller):
    path = "/v1/reference"
    tags = ("reference",)

    @get(
        "/principles",
        summary="The seven principles, in order",
        responses=THROTTLED,
        operation_class=PublicOperation,
    )
    async def principles(self, services: NamedDependency[Services]) -> list[PrincipleInfo]:
        return [
            PrincipleInfo(
                principle=principle.value,
                title_en=english,
                title_id=indonesian,
                ruleset=services.ruleset.version,
            )
            for principle, (english, indonesian) in PRINCIPLE_TITLES.items()
        ]

    @get(
        "/sdgs",
        summary="The 17 SDGs and their 169 targets",
        responses=THROTTLED,
        operation_class=PublicOperation,
    )
    async def sdgs(self, services: NamedDependency[Services]) -> Sdgs:
        return Sdgs(
            goals=list(services.reference.goals.values()),
            targets=list(services.reference.targets.values()),
        )

    @get(
        "/regions",
        summary="Kemendagri provinces, kabupaten and kota",
        responses=THROTTLED,
        operation_class=PublicOperation,
    )
    async def regions(self, services: NamedDependency[Services]) -> list[Region]:
        return list(services.reference.regions.values())

    @get(
        "/fields",
        summary="Government affairs (urusan); absolute ones cannot be cooperated in",
        responses=THROTTLED,
        operation_class=PublicOperation,
    )
    async def fields(self, services: NamedDependency[Services]) -> list[Affair]:
        return list(services.reference.affairs.values())
