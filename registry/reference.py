"""Reference data (SDGs, Kemendagri regions, urusan, countries), loaded once from package data."""

from __future__ import annotations

import csv
import enum
import functools
import io
from collections.abc import Mapping
from importlib import resources

import msgspec
import pycountry


class RegionKind(enum.StrEnum):
    """The level of a region in Kemendagri's code list."""

    PROVINCE = "province"
    REGENCY = "regency"
    CITY = "city"


class Region(msgspec.Struct, frozen=True, kw_only=True):
    """A province, kabupaten or kota; `administrative` marks DKI Jakarta's non-autonomous units."""

    code: str
    name: str
    kind: RegionKind
    province_code: str | None
    administrative: bool


class SdgGoal(msgspec.Struct, frozen=True, kw_only=True):
    """One of the 17 goals, with its Indonesian (TPB) title."""

    number: int
    title_en: str
    title_id: str


class SdgTarget(msgspec.Struct, frozen=True, kw_only=True):
    """One of the 169 targets (`1.1` ... `17.19`)."""

    code: str
    goal: int
    title_en: str


class AffairKind(enum.StrEnum):
    """Concurrent affairs may be cooperated in; absolute ones belong to the centre (UU 23/2014)."""

    CONCURRENT = "concurrent"
    ABSOLUTE = "absolute"


class Affair(msgspec.Struct, frozen=True, kw_only=True):
    """A government affair (urusan pemerintahan), the unit a proposal's `fields` name."""

    code: str
    name_id: str
    name_en: str
    kind: AffairKind
    group: str


class ListedCountry(msgspec.Struct, frozen=True, kw_only=True):
    """A country on one of the registry's versioned lists, with the reason it is there."""

    code: str
    name: str
    reason: str


class CountryLists(msgspec.Struct, frozen=True, kw_only=True):
    """Versioned configuration: no diplomatic relations (fail) and entities for review."""

    edition: str
    source: str
    no_diplomatic_relations: tuple[ListedCountry, ...]
    for_review: tuple[ListedCountry, ...]
    accepted_outside_iso: tuple[str, ...] = ()


class Edition(msgspec.Struct, frozen=True, kw_only=True):
    """Which edition of which source a reference file holds."""

    edition: str
    source: str


class Reference(msgspec.Struct, frozen=True, kw_only=True):
    """All reference data the rules and the input validation consult."""

    regions: Mapping[str, Region]
    goals: Mapping[int, SdgGoal]
    targets: Mapping[str, SdgTarget]
    affairs: Mapping[str, Affair]
    countries: CountryLists
    editions: Mapping[str, Edition]

    def is_known_country(self, code: str) -> bool:
        """An ISO 3166-1 alpha-2 code, or a user-assigned code the country lists accept (XK)."""
        return self.is_iso_country(code) or code in self.countries.accepted_outside_iso

    def is_iso_country(self, code: str) -> bool:
        """Whether ISO 3166-1 (as pycountry ships it) knows the code."""
        return pycountry.countries.get(alpha_2=code) is not None

    def country_name(self, code: str) -> str:
        """The common English name of a country, or the name on the registry's lists."""
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            return str(getattr(country, "common_name", country.name))
        listed = {c.code: c.name for c in self.countries.for_review}
        return listed.get(code, code)

    def region_name(self, code: str) -> str | None:
        """The name of a region, None when the code is unknown."""
        region = self.regions.get(code)
        return region.name if region is not None else None


def _text(name: str) -> str:
    return resources.files("registry").joinpath("data", name).read_text(encoding="utf-8")


def _csv_rows(name: str) -> tuple[Edition, list[dict[str, str]]]:
    """Rows of a packaged CSV file whose header comment (`# ...`) names edition and source."""
    lines = _text(name).splitlines(keepends=True)
    header = [line[1:].rstrip() for line in lines if line.startswith("#")]
    body = "".join(line for line in lines if not line.startswith("#"))
    return _edition_of(header), list(csv.DictReader(io.StringIO(body)))


def _edition_of(header: list[str]) -> Edition:
    """Edition and source from `Edition:` and `Source:` lines; indented lines continue them."""
    entries: dict[str, list[str]] = {}
    key = ""
    for line in header:
        head, _, rest = line.strip().partition(": ")
        if not line.startswith("  ") and head in ("Edition", "Source"):
            key = head
            entries[key] = [rest]
        elif line.startswith("  ") and key:
            entries[key].append(line.strip())
        else:
            key = ""
    return Edition(
        edition=" ".join(entries.get("Edition", [])), source=" ".join(entries.get("Source", []))
    )


class _Goals(msgspec.Struct):
    edition: str
    source: str
    goals: list[SdgGoal]


class _Affairs(msgspec.Struct):
    edition: str
    source: str
    affairs: list[Affair]


def _regions() -> tuple[Edition, dict[str, Region]]:
    edition, rows = _csv_rows("regions.csv")
    regions = {
        row["code"]: Region(
            code=row["code"],
            name=row["name"],
            kind=RegionKind(row["kind"]),
            province_code=row["province_code"] or None,
            administrative=row["administrative"] == "true",
        )
        for row in rows
    }
    return edition, regions


def _targets() -> tuple[Edition, dict[str, SdgTarget]]:
    edition, rows = _csv_rows("sdg_targets.csv")
    targets = {
        row["code"]: SdgTarget(code=row["code"], goal=int(row["goal"]), title_en=row["title_en"])
        for row in rows
    }
    return edition, targets


@functools.cache
def load_reference() -> Reference:
    """The reference data of this release, read from package data on first use and kept."""
    region_edition, regions = _regions()
    target_edition, targets = _targets()
    goals = msgspec.json.decode(_text("sdg_goals.json"), type=_Goals)
    affairs = msgspec.json.decode(_text("urusan.json"), type=_Affairs)
    countries = msgspec.json.decode(_text("countries.json"), type=CountryLists)
    return Reference(
        regions=regions,
        goals={g.number: g for g in goals.goals},
        targets=targets,
        affairs={a.code: a for a in affairs.affairs},
        countries=countries,
        editions={
            "regions": region_edition,
            "sdg_targets": target_edition,
            "sdg_goals": Edition(edition=goals.edition, source=goals.source),
            "urusan": Edition(edition=affairs.edition, source=affairs.source),
            "countries": Edition(edition=countries.edition, source=countries.source),
        },
    )
