"""Schemathesis' stateful testing over the OpenAPI links, against the real server.

The links (registry/api/documentation.py) lead from a submission's 201 (its `id`, its `ETag`)
to the proposal, its events and every command, and from each command's answer onwards; the
state machine follows them with the version each answer carried, as a client would.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from typing import Any

import hypothesis
import schemathesis
from schemathesis import Case, Response
from schemathesis.config import SchemathesisConfig

from tests.api.conftest import draft, sister_city_draft
from tests.e2e.conftest import Server

WORKFLOW = [
    "submitProposal",
    "getProposal",
    "getProposalEvents",
    "reviseProposal",
    "reviewProposal",
    "withdrawProposal",
    "recordLegalApproval",
    "signAgreement",
    "terminateAgreement",
]
# Bounded so that the suite stays fast; derandomized so that a failure reproduces.
SCENARIOS = 15
STEPS = 8
MIN_CALLS = 50
CONFIG = {
    # Negative data is the CLI fuzzing test's job (test_real_server.py); here workflows.
    "generation": {"mode": "positive"},
    "checks": {
        # A schema-valid body may still be refused for what JSON Schema cannot say (a country
        # code that does not exist, a region that is not a party, an opaque cursor): the
        # server's 400/422 for those is right, so "valid data is accepted" does not hold.
        "positive_data_acceptance": {"enabled": False},
    },
}


def test_linked_workflows_find_no_server_error_and_no_schema_break(server: Server) -> None:
    official = f"Bearer {server.token('official', '36.71')}"
    reviewer = f"Bearer {server.token('reviewer', '32.73')}"
    schema = schemathesis.openapi.from_url(
        f"{server.url}/schema/openapi.json", config=SchemathesisConfig.from_dict(CONFIG)
    ).include(operation_id=WORKFLOW)
    answered = Counter[tuple[str, int]]()
    titles = itertools.count(1)
    drafts = itertools.cycle([draft, sister_city_draft])

    machine = schema.as_state_machine()

    class Workflow(machine):  # type: ignore[misc,valid-type]  # a class made at run time
        def before_call(self, case: Case[Any]) -> None:
            # Random proposal bodies are never valid proposals (regions, countries, parties
            # must agree), and a workflow needs proposals that exist: submissions and
            # revisions send real drafts; the other commands' bodies are generated.
            if case.method == "POST" and case.operation.label.endswith(
                ("/v1/proposals", "/revisions")
            ):
                case.body = next(drafts)(title=f"Kerja sama nomor {next(titles)}")
            elif case.path.endswith("/reviews") and isinstance(case.body, dict):
                case.body.setdefault("comment", "sudah ditinjau")

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            token = reviewer if case.path.endswith("/reviews") else official
            return {"headers": {"Authorization": token}, "timeout": 10}

        def after_call(self, response: Response, case: Case[Any]) -> None:
            answered[(case.operation.label, response.status_code)] += 1
            super().after_call(response, case)

    # Every POST may start a scenario; a command on a made-up id is a 404 that teaches nothing.
    # Scenarios start with a submission, and commands come through the links.
    for rule in machine.root_rules:
        if "proposal_id" in rule:
            setattr(Workflow, rule, None)
    Workflow.root_rules = frozenset(r for r in machine.root_rules if "proposal_id" not in r)
    # The server's state makes a replayed prefix answer differently (a proposal exists now, a
    # version moved on), which Hypothesis reports as inconsistent generation, and stops.
    # Schemathesis' own runner counts that as no failure too; a failed check is raised as
    # itself (or as FlakyFailure) and fails this test. Enough steps must have run by then.
    with contextlib.suppress(hypothesis.errors.FlakyStrategyDefinition):
        Workflow.run(
            settings=hypothesis.settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                phases=[hypothesis.Phase.generate],
            )
        )
    print(f"\nstateful: {sum(answered.values())} calls, {sorted(answered.items())}")
    assert sum(answered.values()) >= MIN_CALLS, answered
    # The links were followed: proposals were made and commands on them went through.
    assert answered[("POST /v1/proposals", 201)] > 0, answered
    commands = sum(n for (label, status), n in answered.items() if "/{proposal_id}/" in label)
    assert commands > 0, answered
    assert any(
        status == 200 and "/{proposal_id}/" in label and label.startswith("POST")
        for label, status in answered
    ), answered
    assert not [key for key in answered if key[1] >= 500], answered
