"""The OpenAPI document as clients and schemathesis' stateful testing read it."""

from __future__ import annotations

from typing import Any

import pytest

from registry.api.app import create_app
from registry.settings import Settings

OPEN_ROUTES = {"/health", "/ready", "/metrics"}


@pytest.fixture(scope="module")
def document() -> Any:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"), services=None)
    return app.litestar.openapi_schema.to_schema()


def operations(document: Any) -> dict[str, Any]:
    return {
        operation["operationId"]: operation
        for item in document["paths"].values()
        for operation in item.values()
    }


def test_every_link_names_an_operation_and_its_parameters(document: Any) -> None:
    by_id = operations(document)
    links = {
        name: link
        for operation in by_id.values()
        for response in operation["responses"].values()
        for name, link in response.get("links", {}).items()
    }
    assert {"read", "events", "review", "revise", "withdraw", "sign"} <= links.keys()
    for link in links.values():
        target = by_id[link["operationId"]]
        declared = {(p["in"], p["name"]) for p in target.get("parameters", [])}
        for name in link["parameters"]:
            where, _, bare = name.rpartition(".")
            assert (where or "path", bare) in declared, (link, name)


def test_the_submission_links_to_the_proposal_with_its_etag(document: Any) -> None:
    created = document["paths"]["/v1/proposals"]["post"]["responses"]["201"]
    review = created["links"]["review"]["parameters"]
    assert review == {
        "proposal_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }


def test_commands_document_a_required_if_match(document: Any) -> None:
    revise = document["paths"]["/v1/proposals/{proposal_id}/revisions"]["post"]
    if_match = next(p for p in revise["parameters"] if p["name"] == "If-Match")
    assert if_match["in"] == "header"
    assert if_match["required"] is True


def test_routes_open_without_a_token_say_so(document: Any) -> None:
    for path, item in document["paths"].items():
        for operation in item.values():
            public = path in OPEN_ROUTES or path.startswith("/v1/reference/")
            assert (operation.get("security") == []) is public, path


def test_bodies_refuse_unknown_fields_and_keep_item_constraints(document: Any) -> None:
    draft = document["components"]["schemas"]["ProposalDraft"]
    assert draft["additionalProperties"] is False
    assert draft["properties"]["fields"]["items"]["pattern"] == "^[a-z][a-z_]*$"
    assert draft["properties"]["partners"]["items"] == {"$ref": "#/components/schemas/PartnerBody"}
