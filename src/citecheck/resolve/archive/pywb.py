"""The pywb / OpenWayback dialect: ``/<coll>/cdx`` and ``/<coll>/<ts>id_/<url>``.

pywb's CDX server answers ``output=json`` as one JSON object per line
(``urlkey``, ``timestamp``, ``url``, ``mime``, ``status``…) and has no
resume keys.  Its playback serves the nearest capture directly (200 with
``Memento-Datetime`` and ``Content-Location``) rather than redirecting to it,
and writes a historical redirect's ``Location`` as the original target.
Filters: a bare ``field:value`` means *contains*, ``~field:value`` a regex,
``=field:value`` exact — the Internet Archive reads a bare filter as a regex.
"""

from __future__ import annotations

from citecheck.resolve.archive.models import CdxRecord
from citecheck.resolve.archive.wayback import record_from_fields
from citecheck.resolve.decode import JsonDataError, loads_json
from citecheck.resolve.politeness import PoolPolicy

# A self-hosted archive has no published limits: start fast, back off when it says 429.  Playback is
# bounded by its concurrency alone until a 429 gives it a rate: the answers the archive accepted over the
# last second (politeness.Pool.rate_limited_by_server) — against archives enforcing 20/s or 100/s that
# costs about as many 429s as a fixed 50/s did, and an archive without limits is not held to 50/s.
FAST_INDEX_POLICY = PoolPolicy(concurrency=4, per_second=20.0, burst=20, pause_without_retry_after=5.0)
FAST_PLAYBACK_POLICY = PoolPolicy(concurrency=8, pause_without_retry_after=5.0)


def parse_cdx_json_lines(text: str) -> tuple[list[CdxRecord], int]:
    """Parse pywb's JSON-lines CDX answer: (records, unreadable lines)."""
    records: list[CdxRecord] = []
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = loads_json(line)
        except JsonDataError:
            skipped += 1
            continue
        record = record_from_fields({str(k): str(v) for k, v in row.items()}) if isinstance(row, dict) else None
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return records, skipped
