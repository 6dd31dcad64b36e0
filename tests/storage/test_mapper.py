"""The row <-> model mapping: every column and field mapped, each entry read back as written."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest
from full_aggregate import full_aggregate

from bot.core.model import Intervention
from bot.storage import orm
from bot.storage.mapper import (
    COLLECTIONS,
    Collection,
    head_fields,
    head_row,
    response,
    response_row,
)

SPECS = {spec.field: spec for spec in COLLECTIONS}


def columns(table: Any) -> set[str]:
    return {column.name for column in table.__table__.columns}


@pytest.mark.parametrize("field", SPECS)
def test_every_column_of_a_collection_table_is_mapped(field: str) -> None:
    spec = SPECS[field]
    for entry in spec.entries(full_aggregate()).values():
        assert set(spec.to_row(entry)) | {"intervention_id"} == columns(spec.table)


def test_every_column_of_the_head_and_answer_tables_is_mapped() -> None:
    state = full_aggregate()
    assert set(head_row(state)) | {"id", "version"} == columns(orm.InterventionRow)
    for answer in state.responses.values():
        assert set(response_row(answer)) | {"intervention_id"} == columns(orm.ResponseRow)


def test_every_field_of_the_aggregate_has_a_place_in_the_tables() -> None:
    state = full_aggregate()
    head = head_fields(SimpleNamespace(id=state.id, **head_row(state)))
    stored = set(head) | set(SPECS) | {"responses"}
    assert stored == {f.name for f in dataclasses.fields(Intervention)}


@pytest.mark.parametrize("field", SPECS)
def test_each_entry_reads_back_from_its_row_as_it_was_written(field: str) -> None:
    spec: Collection[Any] = SPECS[field]
    state = full_aggregate()
    entries = spec.entries(state)
    assert entries, f"the sample aggregate has no {field}: the test would prove nothing"
    rows = [SimpleNamespace(intervention_id=state.id, **spec.to_row(e)) for e in entries.values()]
    assert spec.assemble(spec.from_row(row) for row in rows) == getattr(state, field)


def test_the_head_and_the_answers_read_back_as_they_were_written() -> None:
    state = full_aggregate()
    head = head_fields(SimpleNamespace(id=state.id, **head_row(state)))
    assert head == {name: getattr(state, name) for name in head}
    for answer in state.responses.values():
        row = SimpleNamespace(intervention_id=state.id, **response_row(answer))
        assert response(row, answer.author) == answer


def test_a_name_is_stored_with_an_answer_only_when_its_visibility_carries_one() -> None:
    by_visibility = {a.visibility: response_row(a) for a in full_aggregate().responses.values()}
    assert by_visibility["group_anonymous"]["attributed_to"] is None
    assert by_visibility["facilitator"]["attributed_to"] == "ben"
