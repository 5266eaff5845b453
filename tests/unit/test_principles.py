"""The seven principle checks of DOMAIN.md: a pass, a needs_review and a fail for each."""

from __future__ import annotations

import datetime as dt

from msgspec.structs import replace

from registry.principles import Assessment, Principle, Verdict, assess, with_max_term_years
from registry.principles.catalog import CATALOG
from registry.terms import PartyText, Terms
from tests.unit.builders import (
    DKI_JAKARTA,
    JAKARTA_PUSAT,
    REFERENCE,
    RULESET,
    SURABAYA,
    TANGERANG,
    foreign,
    institution,
    region,
    sister_city_terms,
    terms,
    third_party,
)


def judged(t: Terms, initiator: str = TANGERANG) -> Assessment:
    return assess(initiator, t, REFERENCE, RULESET)


def codes(assessment: Assessment, principle: Principle) -> list[str]:
    return [f.code for f in assessment[principle].findings]


# --- the assessment as a whole


def test_a_sound_city_to_city_proposal_passes_every_principle() -> None:
    assessment = judged(terms())
    assert assessment.outcome is Verdict.PASS
    assert all(p.verdict is Verdict.PASS and not p.findings for p in assessment.principles)


def test_the_assessment_lists_all_seven_principles_in_domain_order_and_names_its_ruleset() -> None:
    assessment = judged(terms(partners=[foreign("Haifa", "IL")]))
    assert [p.principle for p in assessment.principles] == [
        "mutual_benefit",
        "legal_compliance",
        "equality_of_standing",
        "political_stability_security",
        "sovereignty",
        "environmental_sustainability",
        "sdg_alignment",
    ]
    assert assessment.ruleset == "2026.1"


def test_outcome_is_fail_if_any_fails_else_needs_review_if_any_needs_review() -> None:
    review_only = judged(terms(title="Pelatihan intelijen pemasaran pariwisata"))
    assert review_only.outcome is Verdict.NEEDS_REVIEW
    failing_and_review = judged(terms(title="Pelatihan intelijen", legal_basis=()))
    assert failing_and_review.outcome is Verdict.FAIL


def test_every_finding_carries_both_languages_and_its_offending_values() -> None:
    assessment = judged(terms(partners=[foreign("Haifa", "IL")]))
    finding = assessment[Principle.SOVEREIGNTY].findings[0]
    assert finding.values == {"partner": "Haifa", "country": "IL", "country_name": "Israel"}
    assert "Haifa" in finding.message_en
    assert "no diplomatic relations" in finding.message_en
    assert "Haifa" in finding.message_id
    assert "tidak memiliki hubungan diplomatik" in finding.message_id


def test_finding_codes_are_stable_and_prefixed_by_principle() -> None:
    assert sorted(CATALOG) == [
        "ENV001", "EQ001", "EQ002", "LC001", "LC002", "LC003", "LC004", "LC005",
        "MB001", "MB002", "PS001", "PS002", "SDG001", "SDG002", "SOV001", "SOV002",
    ]  # fmt: skip


# --- 1. mutual_benefit


def test_mutual_benefit_passes_when_every_party_states_a_real_benefit() -> None:
    assert judged(terms())[Principle.MUTUAL_BENEFIT].verdict is Verdict.PASS


def test_a_token_benefit_needs_review() -> None:
    t = terms()
    token = (PartyText(party=SURABAYA, description="Manfaat ada"), *t.benefits[:1])
    assessment = judged(replace(t, benefits=token))
    assert assessment[Principle.MUTUAL_BENEFIT].verdict is Verdict.NEEDS_REVIEW
    assert codes(assessment, Principle.MUTUAL_BENEFIT) == ["MB002"]
    assert assessment[Principle.MUTUAL_BENEFIT].findings[0].values["party"] == SURABAYA


def test_a_partner_without_a_stated_benefit_fails_mutual_benefit() -> None:
    t = terms()
    only_initiator = tuple(b for b in t.benefits if b.party == TANGERANG)
    assessment = judged(replace(t, benefits=only_initiator))
    assert assessment[Principle.MUTUAL_BENEFIT].verdict is Verdict.FAIL
    assert assessment[Principle.MUTUAL_BENEFIT].findings[0].values["party_name"] == "Kota Surabaya"


def test_a_partner_may_be_named_by_its_region_code_or_its_name() -> None:
    t = terms()
    by_name = tuple(
        PartyText(party="Kota Surabaya", description=b.description) if b.party == SURABAYA else b
        for b in t.benefits
    )
    assert judged(replace(t, benefits=by_name))[Principle.MUTUAL_BENEFIT].verdict is Verdict.PASS


# --- 2. legal_compliance


def test_legal_compliance_passes_a_five_year_term_with_a_legal_basis() -> None:
    t = terms(start_date=dt.date(2027, 1, 1), end_date=dt.date(2031, 12, 31))
    assert judged(t)[Principle.LEGAL_COMPLIANCE].verdict is Verdict.PASS


def test_a_term_longer_than_the_configured_maximum_needs_review() -> None:
    t = terms(start_date=dt.date(2027, 1, 1), end_date=dt.date(2032, 1, 1))
    assessment = judged(t)
    assert assessment[Principle.LEGAL_COMPLIANCE].verdict is Verdict.NEEDS_REVIEW
    assert codes(assessment, Principle.LEGAL_COMPLIANCE) == ["LC004"]


def test_the_maximum_term_is_configuration_and_changes_the_ruleset_version() -> None:
    seven_years = with_max_term_years(RULESET, 7)
    t = terms(start_date=dt.date(2027, 1, 1), end_date=dt.date(2032, 1, 1))
    assessment = assess(TANGERANG, t, REFERENCE, seven_years)
    assert assessment[Principle.LEGAL_COMPLIANCE].verdict is Verdict.PASS
    assert assessment.ruleset == "2026.1+max_term_years=7"


def test_a_sister_city_on_no_pasal_367_object_needs_review() -> None:
    t = sister_city_terms(fields=("tenaga_kerja",), sdg_targets=("8.8",))
    assessment = judged(t, SURABAYA)
    assert codes(assessment, Principle.LEGAL_COMPLIANCE) == ["LC005"]
    assert assessment[Principle.LEGAL_COMPLIANCE].verdict is Verdict.NEEDS_REVIEW


def test_the_same_field_between_two_indonesian_cities_needs_no_pasal_367_object() -> None:
    t = terms(fields=("tenaga_kerja",), sdg_targets=("8.8",))
    assert judged(t)[Principle.LEGAL_COMPLIANCE].verdict is Verdict.PASS


def test_an_absolute_affair_fails_legal_compliance() -> None:
    assessment = judged(terms(fields=("agama", "kebudayaan")))
    assert assessment[Principle.LEGAL_COMPLIANCE].verdict is Verdict.FAIL
    assert assessment[Principle.LEGAL_COMPLIANCE].findings[0].values == {"field": "agama"}


def test_an_end_date_not_after_the_start_fails_legal_compliance() -> None:
    t = terms(start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 1, 1))
    assert codes(judged(t), Principle.LEGAL_COMPLIANCE) == ["LC002"]


def test_no_legal_basis_fails_legal_compliance() -> None:
    assert codes(judged(terms(legal_basis=())), Principle.LEGAL_COMPLIANCE) == ["LC003"]


# --- 3. equality_of_standing


def test_two_autonomous_cities_with_obligations_stand_equal() -> None:
    assert judged(terms())[Principle.EQUALITY_OF_STANDING].verdict is Verdict.PASS


def test_one_sided_terms_need_review() -> None:
    t = terms()
    only_initiator = tuple(o for o in t.obligations if o.party == TANGERANG)
    assessment = judged(replace(t, obligations=only_initiator))
    assert assessment[Principle.EQUALITY_OF_STANDING].verdict is Verdict.NEEDS_REVIEW
    assert codes(assessment, Principle.EQUALITY_OF_STANDING) == ["EQ002"]


def test_a_kota_administrasi_of_jakarta_cannot_be_a_party() -> None:
    assessment = judged(terms(partners=[region(JAKARTA_PUSAT)]))
    assert assessment[Principle.EQUALITY_OF_STANDING].verdict is Verdict.FAIL
    finding = assessment[Principle.EQUALITY_OF_STANDING].findings[0]
    assert finding.code == "EQ001"
    assert finding.values["party"] == JAKARTA_PUSAT
    assert finding.values["province"] == DKI_JAKARTA


def test_the_province_of_dki_jakarta_itself_is_an_equal_party() -> None:
    t = terms(partners=[region(DKI_JAKARTA)])
    assert judged(t)[Principle.EQUALITY_OF_STANDING].verdict is Verdict.PASS


# --- 4. political_stability_security


def test_a_cultural_exchange_raises_no_security_flag() -> None:
    verdict = judged(terms())[Principle.POLITICAL_STABILITY_SECURITY]
    assert verdict.verdict is Verdict.PASS


def test_a_flag_word_in_the_summary_needs_review() -> None:
    t = terms(summary="Pelatihan bersama dengan unsur militer untuk penanggulangan bencana.")
    assessment = judged(t)
    assert assessment[Principle.POLITICAL_STABILITY_SECURITY].verdict is Verdict.NEEDS_REVIEW
    finding = assessment[Principle.POLITICAL_STABILITY_SECURITY].findings[0]
    assert (finding.code, finding.values["word"], finding.values["where"]) == (
        "PS002",
        "militer",
        "summary",
    )


def test_food_security_is_not_a_flag() -> None:
    t = terms(
        title="Keamanan pangan dan food security kota", fields=("pangan",), sdg_targets=("2.1",)
    )
    verdict = judged(t)[Principle.POLITICAL_STABILITY_SECURITY]
    assert verdict.verdict is Verdict.PASS


def test_a_defence_field_fails_political_stability() -> None:
    assessment = judged(terms(fields=("pertahanan",), sdg_targets=("16.1",)))
    assert assessment[Principle.POLITICAL_STABILITY_SECURITY].verdict is Verdict.FAIL
    assert codes(assessment, Principle.POLITICAL_STABILITY_SECURITY) == ["PS001"]


# --- 5. sovereignty


def test_a_japanese_sister_city_respects_sovereignty() -> None:
    verdict = judged(sister_city_terms(), SURABAYA)[Principle.SOVEREIGNTY]
    assert verdict.verdict is Verdict.PASS


def test_a_partner_in_kosovo_needs_review() -> None:
    assessment = judged(terms(partners=[foreign("Prishtina", "XK")]))
    assert assessment[Principle.SOVEREIGNTY].verdict is Verdict.NEEDS_REVIEW
    assert codes(assessment, Principle.SOVEREIGNTY) == ["SOV002"]
    assert assessment[Principle.SOVEREIGNTY].findings[0].values["country_name"] == "Kosovo"


def test_a_partner_from_israel_fails_sovereignty() -> None:
    assessment = judged(terms(partners=[foreign("Haifa", "IL")]))
    assert assessment[Principle.SOVEREIGNTY].verdict is Verdict.FAIL
    assert codes(assessment, Principle.SOVEREIGNTY) == ["SOV001"]


def test_a_taiwanese_institution_fails_sovereignty() -> None:
    assessment = judged(terms(partners=[institution("Taipei Trade Office", "TW")]))
    assert codes(assessment, Principle.SOVEREIGNTY) == ["SOV001"]


# --- 6. environmental_sustainability


def test_an_environmental_proposal_with_safeguards_passes() -> None:
    verdict = judged(sister_city_terms(), SURABAYA)[Principle.ENVIRONMENTAL_SUSTAINABILITY]
    assert verdict.verdict is Verdict.PASS


def test_an_environmental_field_without_safeguards_needs_review() -> None:
    assessment = judged(sister_city_terms(environmental_safeguards="  "), SURABAYA)
    principle = assessment[Principle.ENVIRONMENTAL_SUSTAINABILITY]
    assert principle.verdict is Verdict.NEEDS_REVIEW
    assert principle.findings[0].values == {"fields": "lingkungan_hidup", "goals": "11, 13"}


def test_an_environmental_sdg_goal_alone_calls_for_safeguards() -> None:
    t = terms(sdg_targets=("8.9", "14.7"))
    assert codes(judged(t), Principle.ENVIRONMENTAL_SUSTAINABILITY) == ["ENV001"]


def test_environmental_sustainability_is_a_registry_criterion_and_never_fails() -> None:
    t = terms(
        fields=tuple(sorted(RULESET.environmental_fields)),
        sdg_targets=("6.1", "7.2", "11.6", "12.5", "13.3", "14.1", "15.2"),
        environmental_safeguards=None,
    )
    assert judged(t)[Principle.ENVIRONMENTAL_SUSTAINABILITY].verdict is Verdict.NEEDS_REVIEW


# --- 7. sdg_alignment


def test_targets_whose_goals_fit_the_fields_are_aligned() -> None:
    assert judged(terms())[Principle.SDG_ALIGNMENT].verdict is Verdict.PASS


def test_targets_unrelated_to_every_field_need_review() -> None:
    assessment = judged(terms(fields=("pendidikan",), sdg_targets=("3.4",)))
    assert assessment[Principle.SDG_ALIGNMENT].verdict is Verdict.NEEDS_REVIEW
    assert assessment[Principle.SDG_ALIGNMENT].findings[0].values == {
        "goals": "3",
        "fields": "pendidikan",
    }


def test_no_sdg_target_fails_sdg_alignment() -> None:
    assert codes(judged(terms(sdg_targets=())), Principle.SDG_ALIGNMENT) == ["SDG001"]


def test_a_third_party_partner_is_judged_like_any_party() -> None:
    assessment = judged(terms(partners=[third_party("Universitas Airlangga", SURABAYA)]))
    assert codes(assessment, Principle.MUTUAL_BENEFIT) == []
    assert assessment.outcome is Verdict.PASS
