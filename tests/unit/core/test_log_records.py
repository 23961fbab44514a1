"""Validation of posted log batches and the source identity of records without `_id`."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from backend.repositories.logs import stored_positions
from backend.services.log_records import (
    DIRECT_INDEX,
    InvalidLogBatch,
    LogBatchParser,
    api_stage_row,
    jenkins_event,
    jenkins_stage_row,
)

PARSER = LogBatchParser(max_records=3)
GOOD = {"@timestamp": "2025-03-01T12:00:00Z", "level": "error", "message": "Finished: FAILURE"}


def errors_of(body: object, kind: str = "jenkins") -> list[dict[str, object]]:
    with pytest.raises(InvalidLogBatch) as refused:
        PARSER.parse(kind, orjson.dumps(body))  # type: ignore[arg-type]
    return refused.value.errors


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        ([GOOD, {**GOOD, "level": ""}], ["body", 1, "level"], "string_too_short"),
        ([GOOD, GOOD, {"level": "INFO", "message": "x"}], ["body", 2, "@timestamp"], "missing"),
        ([{**GOOD, "build_number": -1}], ["body", 0, "build_number"], "greater_than_equal"),
        ([GOOD] * 4, ["body"], "too_long"),
        ({**GOOD, "message": 5}, ["body", "message"], "string_type"),
        ("just text", ["body"], "model_type"),
    ],
)
def test_refusals_name_position_and_field(body: object, loc: list[object], error_type: str) -> None:
    [error] = errors_of(body)
    assert (error["loc"], error["type"]) == (loc, error_type)


def test_invalid_json_is_refused() -> None:
    with pytest.raises(InvalidLogBatch) as refused:
        PARSER.parse("jenkins", b"[{")
    assert refused.value.errors[0]["type"] == "json_invalid"


def test_api_status_range() -> None:
    record = {"@timestamp": "2025-03-01T12:00:00Z", "http_method": "GET", "endpoint": "/"}
    [error] = errors_of([{**record, "http_status": 600}], "api")
    assert error["loc"] == ["body", 0, "http_status"]


def test_one_record_or_a_list() -> None:
    assert len(PARSER.parse("jenkins", orjson.dumps(GOOD))) == 1
    assert len(PARSER.parse("jenkins", b" \n" + orjson.dumps([GOOD, GOOD]))) == 2
    assert PARSER.parse("jenkins", b"[]") == []


def test_identity_without_id_is_stable_and_content_based() -> None:
    [a] = PARSER.parse("jenkins", orjson.dumps(GOOD))
    [b] = PARSER.parse("jenkins", orjson.dumps({**GOOD, "@timestamp": "2025-03-01T13:00:00+01:00"}))
    [c] = PARSER.parse("jenkins", orjson.dumps({**GOOD, "message": "other"}))
    row_a, row_b, row_c = jenkins_stage_row(a), jenkins_stage_row(b), jenkins_stage_row(c)
    assert row_a[0] == DIRECT_INDEX
    assert row_a[1] == row_b[1]  # the same instant written in another zone
    assert row_a[1] != row_c[1]


def test_stage_row_normalises_level_time_and_keeps_given_identity() -> None:
    [record] = PARSER.parse(
        "jenkins",
        orjson.dumps({**GOOD, "@timestamp": "2025-03-01T12:00:00", "_index": "i", "_id": "d"}),
    )
    row = jenkins_stage_row(record)
    assert row[:4] == ("i", "d", datetime(2025, 3, 1, 12, tzinfo=UTC), "ERROR")
    event = jenkins_event(row)
    assert (event.level, event.message, event.timestamp.tzinfo) == ("ERROR", GOOD["message"], UTC)
    [api] = PARSER.parse(
        "api",
        orjson.dumps(
            {
                "@timestamp": "2025-03-01T12:00:00Z",
                "http_method": "post",
                "http_status": 503,
                "endpoint": "/o",
            }
        ),
    )
    assert api_stage_row(api)[3:6] == ("POST", 503, "/o")


def test_stored_positions_keep_each_inserted_identity_once() -> None:
    rows = [("i", "1"), ("i", "2"), ("i", "1"), ("i", "3")]
    inserted = {("i", "1"), ("i", "3")}
    assert stored_positions(rows, inserted) == [0, 3]
    assert inserted == {("i", "1"), ("i", "3")}  # the caller's set is left alone
    assert stored_positions(rows, {("i", "1"), ("i", "2"), ("i", "3")}) == [0, 1, 3]
