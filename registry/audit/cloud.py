"""The log as CloudEvents 1.0 in the structured JSON format, one event per line.

Built and serialised with the CloudEvents SDK (`cloudevents.core`), which validates every
attribute against the specification, so the export is whatever the SDK accepts and nothing
of our own making. `data` is the stored payload JSON exactly as it was hashed (not a decoded
and re-encoded payload); position, stream version, schema version and chain hash travel as
extension attributes, whose names the specification limits to lower-case letters and digits.
"""

from __future__ import annotations

from typing import Any

import msgspec
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from events.records import RowValues

SOURCE = "/kerjasama/events"
TYPE_PREFIX = "id.kerjasama."
_format = JSONFormat()


def cloud_event(row: RowValues) -> CloudEvent:
    position, stream_id, version, event_id, type_name, schema_version, data, _, at, h = row
    attributes: dict[str, Any] = {
        "id": str(event_id),
        "source": SOURCE,
        "type": TYPE_PREFIX + type_name,
        "subject": stream_id,
        "time": at,
        "datacontenttype": "application/json",
        "position": position,
        "streamversion": version,
        "schemaversion": schema_version,
        "chainhash": bytes(h).hex(),
    }
    payload: dict[str, Any] = msgspec.json.decode(bytes(data))
    return CloudEvent(attributes, payload)


def cloud_event_line(row: RowValues) -> bytes:
    return _format.write(cloud_event(row)) + b"\n"
