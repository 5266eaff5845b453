"""The console's pages and forms through the HTTP client: sign-in, CSRF, commands, conflicts."""

from __future__ import annotations

import re

import httpx

from tests.api.conftest import Api

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
SUBMISSION = {
    "title": "Kerja sama pengelolaan sampah",
    "summary": "Alih pengetahuan bank sampah dan pengomposan antara dua kota.",
    "partners[0].name": "Kota Surabaya",
    "partners[0].kind": "city",
    "partners[0].country": "ID",
    "partners[0].region_code": "35.78",
    "fields": "lingkungan_hidup",
    "benefits[0].party": "36.71",
    "benefits[0].description": "Teknologi pengomposan untuk seluruh kecamatan di kota",
    "benefits[1].party": "35.78",
    "benefits[1].description": "Pasar baru bagi kompos dan pelatihan petugas bank sampah",
    "legal_basis": "UU 23/2014\nPP 28/2018",
    "sdg_targets": "11.6",
    "start_date": "2027-01-01",
    "end_date": "2028-12-31",
    "environmental_safeguards": "Kajian UKL-UPL sebelum pembangunan fasilitas kompos.",
}


async def signed_in(api: Api, who: str) -> httpx.AsyncClient:
    client = api.client
    client.cookies.clear()
    form = await client.get("/console/sign-in")
    token = CSRF.search(form.text)
    assert token is not None
    answer = await client.post(
        "/console/sign-in",
        data={"token": api.tokens[who], "next": "/console/", "_csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return client


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


async def submit_by_form(api: Api) -> str:
    client = await signed_in(api, "official")
    csrf = await csrf_of(client, "/console/proposals/new")
    answer = await client.post("/console/proposals", data={**SUBMISSION, "_csrf_token": csrf})
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/console/proposals/")
    return location.split("/")[-1].split("?")[0]


async def test_pages_ask_for_a_token_first(api: Api) -> None:
    api.client.cookies.clear()
    answer = await api.client.get("/console/queue")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=/console/queue"


async def test_a_bad_token_is_refused_with_the_form_again(api: Api) -> None:
    api.client.cookies.clear()
    csrf = await csrf_of(api.client, "/console/sign-in")
    answer = await api.client.post(
        "/console/sign-in", data={"token": "ks_nonsense", "next": "/", "_csrf_token": csrf}
    )
    assert answer.status_code == 401
    assert "Token tidak dikenal" in answer.text


async def test_the_token_cookie_is_httponly_and_samesite(api: Api) -> None:
    api.client.cookies.clear()
    csrf = await csrf_of(api.client, "/console/sign-in")
    answer = await api.client.post(
        "/console/sign-in",
        data={"token": api.tokens["auditor"], "next": "/console/", "_csrf_token": csrf},
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


async def test_a_form_without_its_csrf_token_is_refused_and_appends_nothing(api: Api) -> None:
    client = await signed_in(api, "official")
    head = await api.services.store.head_position()
    answer = await client.post("/console/proposals", data=SUBMISSION)
    assert answer.status_code == 403
    assert await api.services.store.head_position() == head


async def test_an_official_submits_and_sees_the_seven_verdicts(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    page = await api.client.get(f"/console/proposals/{proposal_id}")
    assert page.status_code == 200
    assert page.text.count('class="principle verdict-box-') == 7
    assert "Usulan diajukan" in page.text  # the timeline, in Bahasa Indonesia
    english = await api.client.get(f"/console/proposals/{proposal_id}?lang=en")
    assert "Proposal submitted" in english.text


async def test_an_invalid_submission_names_the_field_and_appends_nothing(api: Api) -> None:
    client = await signed_in(api, "official")
    csrf = await csrf_of(client, "/console/proposals/new")
    head = await api.services.store.head_position()
    bad = {**SUBMISSION, "partners[0].country": "Jepang", "_csrf_token": csrf}
    answer = await client.post("/console/proposals", data=bad)
    assert answer.status_code == 422
    assert 'id="err-partners[0].country"' in answer.text
    assert 'value="Kerja sama pengelolaan sampah"' in answer.text  # what was typed stays
    assert await api.services.store.head_position() == head


async def test_a_reviewer_approves_from_the_queue(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    client = await signed_in(api, "reviewer")
    # Commands wait for the proposals model only; the queue follows a moment later.
    assert await api.services.all_caught_up(await api.services.store.head_position())
    queue = await client.get("/console/queue")
    assert proposal_id in queue.text
    csrf = await csrf_of(client, f"/console/proposals/{proposal_id}")
    answer = await client.post(
        f"/console/proposals/{proposal_id}/review",
        data={"decision": "approve", "comment": "Sesuai", "version": "2", "_csrf_token": csrf},
    )
    assert answer.status_code == 303, answer.text
    page = await client.get(answer.headers["location"])
    assert "disetujui" in page.text


async def test_a_stale_form_shows_the_conflict_and_changes_nothing(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    client = await signed_in(api, "reviewer")
    csrf = await csrf_of(client, f"/console/proposals/{proposal_id}")
    review = {"decision": "request_revision", "comment": "Rinci jadwal", "_csrf_token": csrf}
    route = f"/console/proposals/{proposal_id}/review"
    first = await client.post(route, data={**review, "version": "2"})
    assert first.status_code == 303
    head = await api.services.store.head_position()
    stale = await client.post(
        f"/console/proposals/{proposal_id}/review", data={**review, "version": "2"}
    )
    assert stale.status_code == 412
    assert "Usulan telah diubah orang lain" in stale.text
    assert 'class="changed"' in stale.text
    assert await api.services.store.head_position() == head


async def test_a_reviewer_of_a_party_region_gets_no_form_and_a_403(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    client = await signed_in(api, "reviewer_party")
    page = await client.get(f"/console/proposals/{proposal_id}")
    assert "/review" not in page.text
    csrf = await csrf_of(client, f"/console/proposals/{proposal_id}")
    answer = await client.post(
        f"/console/proposals/{proposal_id}/review",
        data={"decision": "approve", "version": "2", "_csrf_token": csrf},
    )
    assert answer.status_code == 403


async def test_the_dashboard_draws_both_charts(api: Api) -> None:
    await submit_by_form(api)
    await api.services.all_caught_up(await api.services.store.head_position())
    page = await api.client.get("/console/")
    assert page.text.count("<svg") == 2
    assert "Kota Tangerang" in page.text


async def test_an_auditor_verifies_replays_exports_and_looks_back(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    client = await signed_in(api, "auditor")
    log = await client.get("/console/audit/")
    assert "Usulan diajukan" in log.text
    verified = await client.get("/console/audit/verification")
    assert "Rantai utuh" in verified.text
    csrf = await csrf_of(client, "/console/audit/")
    replay = await client.post("/console/audit/replay", headers={"x-csrftoken": csrf})
    assert replay.status_code == 200
    assert "sama dengan" in replay.text
    export = await client.get("/console/audit/export")
    assert len(export.text.splitlines()) == 2
    before = await client.get(f"/console/proposals/{proposal_id}?as_of=2000-01-01T00:00:00")
    assert "Usulan belum ada" in before.text
    later = await client.get(f"/console/proposals/{proposal_id}?as_of=2999-01-01T00:00:00")
    assert "Usulan sebagaimana adanya" in later.text


async def test_an_official_may_not_open_the_audit_pages(api: Api) -> None:
    client = await signed_in(api, "official")
    answer = await client.get("/console/audit/")
    assert answer.status_code == 403
    assert "Tidak diizinkan" in answer.text


def test_an_unused_partner_row_with_preselected_choices_is_no_partner() -> None:
    from registry.console.forms import draft_from

    form = {key: [value] for key, value in SUBMISSION.items()}
    form.update(
        {"partners[1].name": [""], "partners[1].kind": ["city"], "partners[1].country": ["ID"]}
    )
    assert len(draft_from(form).partners) == 1


async def post_form(client: httpx.AsyncClient, proposal_id: str, route: str, **data: str) -> str:
    """Fill one of the proposal page's forms at the version the page shows; the next page."""
    page = await client.get(f"/console/proposals/{proposal_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    csrf = CSRF.search(page.text)
    assert version is not None
    assert csrf is not None
    answer = await client.post(
        f"/console/proposals/{proposal_id}/{route}",
        data={**data, "version": version.group(1), "_csrf_token": csrf.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return (await client.get(answer.headers["location"])).text


async def test_the_whole_lifecycle_through_the_console_forms(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    reviewer = await signed_in(api, "reviewer")
    await post_form(reviewer, proposal_id, "review", decision="request_revision", comment="Rinci")
    official = await signed_in(api, "official")
    revision = await official.get(f"/console/proposals/{proposal_id}/revision")
    assert 'value="Kerja sama pengelolaan sampah"' in revision.text  # the form holds the terms
    csrf = CSRF.search(revision.text)
    assert csrf is not None
    version = re.search(r'name="version" value="(\d+)"', revision.text)
    assert version is not None
    assert version.group(1) == "3"  # submitted, assessed, revision requested
    revised = {**SUBMISSION, "title": "Kerja sama bank sampah, direvisi", "version": "3"}
    answer = await official.post(
        f"/console/proposals/{proposal_id}/revision",
        data={**revised, "_csrf_token": csrf.group(1)},
    )
    assert answer.status_code == 303, answer.text
    reviewer = await signed_in(api, "reviewer")
    page = await post_form(reviewer, proposal_id, "review", decision="approve", comment="Sesuai")
    assert "Kerja sama bank sampah, direvisi" in page
    official = await signed_in(api, "official")
    signed = await post_form(
        official,
        proposal_id,
        "signing",
        signed_on="2026-12-01",
        document_ref="PKS 01/2026",
        signatories="Wali Kota Tangerang\nWali Kota Surabaya",
    )
    assert "berlaku" in signed
    ended = await post_form(
        official, proposal_id, "termination", reason="Program selesai", effective_on="2027-06-30"
    )
    assert "diakhiri" in ended


async def test_an_official_withdraws_and_records_approvals_of_a_sister_city(api: Api) -> None:
    proposal_id = await submit_by_form(api)
    official = await signed_in(api, "official")
    withdrawn = await post_form(official, proposal_id, "withdrawal", reason="Anggaran belum ada")
    assert "ditarik" in withdrawn
    sister = {
        **SUBMISSION,
        "partners[0].name": "Kota Kitakyushu",
        "partners[0].kind": "foreign_local_government",
        "partners[0].country": "JP",
        "partners[0].region_code": "",
        "benefits[1].party": "Kota Kitakyushu",
        "fields": "pendidikan",
    }
    csrf = await csrf_of(official, "/console/proposals/new")
    answer = await official.post("/console/proposals", data={**sister, "_csrf_token": csrf})
    assert answer.status_code == 303, answer.text
    sister_id = answer.headers["location"].split("/")[-1].split("?")[0]
    reviewer = await signed_in(api, "reviewer")
    await post_form(reviewer, sister_id, "review", decision="approve", comment="Sesuai")
    official = await signed_in(api, "official")
    page = await post_form(
        official,
        sister_id,
        "legal-approval",
        authority="dprd",
        reference="DPRD 5/2026",
        date="2026-11-20",
    )
    assert "DPRD 5/2026" in page
