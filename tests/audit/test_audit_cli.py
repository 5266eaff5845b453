"""`kerjasama audit tree-head|bundle|check` and `export --format cloudevents`, end to end."""

from __future__ import annotations

from pathlib import Path

import msgspec
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from sqlalchemy.ext.asyncio import AsyncEngine

from events.envelope import NewEvent
from tests.audit.conftest import rewrite_history
from tests.contract.toy_events import Deposited
from tests.integration.test_append_only import bypassing_guards, filled_store
from tests.integration.test_cli_workflows import kerjasama

NOWHERE = "postgresql+asyncpg://nobody@127.0.0.1:1/none"  # a check must never need it


async def test_bundle_then_check_offline_then_a_later_bundle_extends_it(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    store = await filled_store(engine, 12)
    code, out, err = await kerjasama(database_url, tmp_path, "audit", "bundle", "first.jsonl")
    assert code == 0, err
    assert "12 events" in out
    assert (tmp_path / "data" / "signing-key.pem").exists()
    code, head_json, err = await kerjasama(database_url, tmp_path, "audit", "tree-head")
    assert code == 0, err
    (tmp_path / "head.json").write_text(head_json)
    assert msgspec.json.decode(head_json)["tree_size"] == 12
    code, out, _ = await kerjasama(NOWHERE, tmp_path, "audit", "check", "first.jsonl")
    assert code == 0, out
    assert out.startswith("ok: 12 events")
    assert "pin it with --public-key" in out

    for amount in range(5):
        await store.append("acct-late", [NewEvent(Deposited(amount=amount))])
    assert (await kerjasama(database_url, tmp_path, "audit", "bundle", "second.jsonl"))[0] == 0
    key = tmp_path / "key.pem"
    key.write_text(
        msgspec.json.decode((tmp_path / "second.jsonl").read_bytes().split(b"\n")[0])["public_key"][
            "pem"
        ]
    )
    for earlier in ("first.jsonl", "head.json"):
        code, out, _ = await kerjasama(
            NOWHERE,
            tmp_path,
            "audit",
            "check",
            "second.jsonl",
            "--earlier",
            earlier,
            "--public-key",
            "key.pem",
        )
        assert code == 0, out
        assert "ok: extends the earlier tree head of 12 events" in out
        assert "pin it" not in out


async def test_check_names_the_first_bad_position_and_fails(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    store = await filled_store(engine, 10)
    assert (await kerjasama(database_url, tmp_path, "audit", "bundle", "before.jsonl"))[0] == 0
    lines = (tmp_path / "before.jsonl").read_bytes().splitlines(keepends=True)
    (tmp_path / "short.jsonl").write_bytes(b"".join(lines[:-3]))
    code, out, _ = await kerjasama(NOWHERE, tmp_path, "audit", "check", "short.jsonl")
    assert code == 1
    assert "NOT OK: the bundle ends after position 8 with no tree head" in out

    await rewrite_history(engine, store, 4, b'{"type":"Deposited","amount":40}')
    assert (await kerjasama(database_url, tmp_path, "audit", "verify"))[0] == 0
    assert (await kerjasama(database_url, tmp_path, "audit", "bundle", "after.jsonl"))[0] == 0
    code, out, _ = await kerjasama(
        NOWHERE, tmp_path, "audit", "check", "after.jsonl", "--earlier", "before.jsonl"
    )
    assert code == 1
    assert "does not extend" in out
    assert "the logs differ from position 4" in out


async def test_check_names_an_event_changed_in_place(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    await filled_store(engine, 10)
    await bypassing_guards(engine, "UPDATE events SET stream_id = 'acct-x' WHERE position = 7")
    assert (await kerjasama(database_url, tmp_path, "audit", "bundle", "tampered.jsonl"))[0] == 0
    code, out, _ = await kerjasama(NOWHERE, tmp_path, "audit", "check", "tampered.jsonl")
    assert code == 1
    assert "position 7: the event does not hash to its chain hash" in out
    assert "position 7" in (await kerjasama(database_url, tmp_path, "audit", "verify"))[1]


async def test_bundle_refuses_a_size_beyond_the_log(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    await filled_store(engine, 3)
    code, _, err = await kerjasama(
        database_url, tmp_path, "audit", "bundle", "b.jsonl", "--size", "4"
    )
    assert code == 1
    assert "no tree of size 4" in err
    assert not (tmp_path / "b.jsonl").exists()
    code, out, _ = await kerjasama(
        database_url, tmp_path, "audit", "bundle", "b.jsonl", "--size", "2"
    )
    assert code == 0, out
    assert "2 events" in (await kerjasama(NOWHERE, tmp_path, "audit", "check", "b.jsonl"))[1]


async def test_export_as_cloudevents(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    store = await filled_store(engine, 4)
    hashes = [bytes(row[9]).hex() async for page in store.read_rows() for row in page]
    code, out, err = await kerjasama(
        database_url, tmp_path, "export", "--format", "cloudevents", "--after", "1"
    )
    assert code == 0, err
    events = [JSONFormat().read(CloudEvent, line) for line in out.splitlines()]
    assert [event.get_extension("position") for event in events] == [2, 3, 4]
    first = events[0]
    assert first.get_specversion() == "1.0"
    assert first.get_type() == "id.kerjasama.Deposited"
    assert first.get_subject() == "acct-1"
    assert first.get_source() == "/kerjasama/events"
    assert first.get_datacontenttype() == "application/json"
    assert first.get_data() == {"type": "Deposited", "amount": 1, "note": ""}
    assert first.get_extension("chainhash") == hashes[1]
    assert first.get_extension("streamversion") == 1
    moment = first.get_time()
    assert moment is not None
    assert moment.tzinfo is not None
    raw = msgspec.json.decode(out.splitlines()[0])
    assert raw["time"].endswith("Z")
