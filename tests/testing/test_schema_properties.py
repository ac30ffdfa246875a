"""Invariants of validation against the full schema, over every item type (hypothesis)."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genbib.testing.zotero import ObjectError, ZoteroEmulator, ZoteroSchema


@cache
def emulator() -> ZoteroEmulator:
    return ZoteroEmulator()  # state only, never started


def schema() -> ZoteroSchema:
    return emulator().schema


REGULAR = [t for t in schema().item_types if t not in ("annotation", "attachment", "note")]
VALUE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
)


@st.composite
def item(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    kind = draw(st.sampled_from(REGULAR))
    names = [f for f in schema().fields_for(kind) if f != "accessDate"]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=8))
    return kind, {name: draw(VALUE) for name in chosen}


@settings(max_examples=150)
@given(item())
def test_any_valid_item_is_stored_as_sent_and_resending_changes_nothing(
    case: tuple[str, dict[str, str]],
) -> None:
    """Item::setField: values trimmed, every field of the type present; re-uploading the
    stored JSON is `unchanged` (no version bump by the object itself)."""
    kind, fields = case
    lib = emulator().library
    key = lib.seed_items([{"itemType": kind, **fields}])[0]
    stored = lib.item(key)
    assert set(schema().fields_for(kind)) <= set(stored)
    for name, value in fields.items():
        assert stored[name] == value.strip()
    result = lib.write("items", [stored], None)
    assert result.unchanged == {"0": key} and lib.item(key)["version"] == stored["version"]


@settings(max_examples=150)
@given(st.sampled_from(REGULAR), st.sampled_from(REGULAR), VALUE.filter(lambda v: v.strip() != ""))
def test_type_change_moves_every_base_mapped_value(source: str, target: str, value: str) -> None:
    """Item::setType: each value moves to the target type's field for its base field,
    stays when the target has the field, and is cleared otherwise."""
    s = schema()
    fields = {f: f"{value} {i}" for i, f in enumerate(s.fields_for(source)) if f != "accessDate"}
    lib = emulator().library
    key = lib.seed_items([{"itemType": source, **fields}])[0]
    lib.edit_item(key, itemType=target)
    stored = lib.item(key)
    assert stored["itemType"] == target
    kept = {v.strip() for n, v in stored.items() if n in s.fields_for(target) and v}
    for name, sent in fields.items():
        base = s.base_of(source, name)
        home = name if name in s.fields_for(target) else None
        home = home or (s.field_from_base(target, base) if base else None)
        if home is not None:
            assert sent.strip() in kept, (name, home)
        else:
            assert sent.strip() not in kept, name
    assert set(stored) - {"key", "version", "itemType", "creators", "tags", "collections",
                          "relations", "dateAdded", "dateModified"} == set(s.fields_for(target))  # fmt: skip


@settings(max_examples=100)
@given(st.sampled_from(REGULAR), st.data())
def test_a_field_of_another_type_is_refused(kind: str, data: st.DataObject) -> None:
    s = schema()
    foreign = sorted(set(s.all_fields) - set(s.fields_for(kind)))
    name = data.draw(st.sampled_from(foreign))
    with pytest.raises(ObjectError, match=f"'{name}' is not a valid field for type '{kind}'"):
        emulator().library.seed_items([{"itemType": kind, name: "x"}])
