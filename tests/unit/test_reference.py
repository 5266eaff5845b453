"""The packaged reference data: complete, with edition and source, loaded once."""

from __future__ import annotations

from collections import Counter

from registry.principles import load_ruleset
from registry.proposal.category import Authority, Category, category_of, required_approvals
from registry.reference import AffairKind, RegionKind, load_reference
from tests.unit.builders import REFERENCE, RULESET, foreign, institution, region, third_party


def test_reference_data_is_loaded_once() -> None:
    assert load_reference() is load_reference()
    assert load_ruleset() is load_ruleset()


def test_kemendagri_2025_lists_38_provinces_416_kabupaten_and_98_kota() -> None:
    kinds = Counter(r.kind for r in REFERENCE.regions.values())
    assert kinds == {RegionKind.PROVINCE: 38, RegionKind.REGENCY: 416, RegionKind.CITY: 98}
    assert REFERENCE.regions["36.71"].name == "Kota Tangerang"
    assert REFERENCE.regions["35.10"].name == "Kabupaten Banyuwangi"


def test_only_jakartas_administrative_units_are_marked_as_not_autonomous() -> None:
    administrative = sorted(c for c, r in REFERENCE.regions.items() if r.administrative)
    assert administrative == ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"]


def test_the_17_goals_and_169_targets_are_all_there() -> None:
    assert sorted(REFERENCE.goals) == list(range(1, 18))
    assert len(REFERENCE.targets) == 169
    assert REFERENCE.goals[11].title_id == "Kota dan Permukiman yang Berkelanjutan"
    assert REFERENCE.targets["17.19"].goal == 17


def test_urusan_are_32_concurrent_and_6_absolute_affairs() -> None:
    kinds = Counter(a.kind for a in REFERENCE.affairs.values())
    assert kinds == {AffairKind.CONCURRENT: 32, AffairKind.ABSOLUTE: 6}
    absolute = {c for c, a in REFERENCE.affairs.items() if a.kind is AffairKind.ABSOLUTE}
    assert absolute == {
        "politik_luar_negeri",
        "pertahanan",
        "keamanan",
        "yustisi",
        "moneter_fiskal_nasional",
        "agama",
    }


def test_every_reference_file_names_its_edition_and_source() -> None:
    assert set(REFERENCE.editions) == {"regions", "sdg_targets", "sdg_goals", "urusan", "countries"}
    for edition in REFERENCE.editions.values():
        assert edition.edition
        assert edition.source
    assert "300.2.2-2138" in REFERENCE.editions["regions"].edition


def test_countries_come_from_iso_3166_with_the_versioned_lists_beside() -> None:
    assert REFERENCE.country_name("JP") == "Japan"
    assert REFERENCE.is_known_country("XK")
    assert not REFERENCE.is_known_country("QQ")
    assert {c.code for c in REFERENCE.countries.no_diplomatic_relations} == {"IL", "TW"}


def test_the_rule_set_maps_every_urusan_to_some_sdg_goal() -> None:
    assert set(RULESET.field_goals) == set(REFERENCE.affairs)
    assert all(RULESET.fits_foreign_objects(f) for f in ("kebudayaan", "pariwisata", "pendidikan"))


def test_the_most_demanding_partner_sets_the_category() -> None:
    assert category_of([region("35.78")]) is Category.KSDD
    assert category_of([region("35.78"), third_party("PT Telkom")]) is Category.KSDPK
    assert category_of([third_party("PT Telkom"), institution("JICA", "JP")]) is Category.KSDLL
    assert category_of([institution("JICA", "JP"), foreign("Kitakyushu", "JP")]) is Category.KSDPL


def test_legal_approvals_needed_before_signing_follow_the_rule_set_table() -> None:
    table = RULESET.legal_approvals
    assert required_approvals(Category.KSDPL, table) == {
        Authority.DPRD,
        Authority.KEMENDAGRI,
        Authority.KEMENLU,
    }
    assert required_approvals(Category.KSDLL, table) == {Authority.KEMENDAGRI, Authority.KEMENLU}
    assert required_approvals(Category.KSDD, table) == frozenset()
    assert required_approvals(Category.KSDPK, table) == frozenset()
