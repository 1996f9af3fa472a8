"""ImageStatusName, tickets as values on every binding, and results as JSON-ready data."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import typing
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from removethebackground import (
    UNSET,
    Binding,
    ImageStatusName,
    InvalidParameterError,
    from_dict,
    to_dict,
    to_json,
)
from removethebackground.core.codec import format_scalar
from removethebackground.core.wire import UnsetType
from removethebackground.generated import GENERATIONS, legacy, pixelz
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows import from_json

# --- ImageStatusName ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("delivered", ImageStatusName.DELIVERED),
        ("Delivered", ImageStatusName.DELIVERED),
        (80, ImageStatusName.DELIVERED),
        ("80", ImageStatusName.DELIVERED),
        (" 10 ", ImageStatusName.NEW),
        ("In Production", ImageStatusName.IN_PRODUCTION),
        ("in_production", ImageStatusName.IN_PRODUCTION),
        ("production-finished", ImageStatusName.PRODUCTION_FINISHED),
        ("ON HOLD", ImageStatusName.ON_HOLD),
        (50, ImageStatusName.ON_HOLD),
        # generation 1's ids and names map onto the same life cycle
        (1, ImageStatusName.NEW),
        ("Queued", ImageStatusName.NEW),
        (2, ImageStatusName.IN_PRODUCTION),
        ("Processing", ImageStatusName.IN_PRODUCTION),
        (3, ImageStatusName.PRODUCTION_FINISHED),
        ("quality control", ImageStatusName.PRODUCTION_FINISHED),
        ("4", ImageStatusName.DELIVERED),
        ("Completed", ImageStatusName.DELIVERED),
        (5, ImageStatusName.ON_HOLD),
        (ImageStatusName.NEW, ImageStatusName.NEW),
    ],
)
def test_parse_reads_ids_and_names_of_both_generations(
    value: object, member: ImageStatusName
) -> None:
    assert ImageStatusName.parse(value) is member


@pytest.mark.parametrize("value", ["shipped", 0, 81, "", None, True, 4.0, "80.0"])
def test_parse_refuses_unknown_statuses_naming_the_known_ones(value: object) -> None:
    with pytest.raises(InvalidParameterError, match="80 Delivered") as info:
        ImageStatusName.parse(value)
    assert isinstance(info.value, ValueError)


def test_terminal_statuses_and_labels_match_the_sandbox() -> None:
    from removethebackground.sandbox.service import LEGACY_STATUS, STATUS_NAMES

    assert {s for s in ImageStatusName if s.is_terminal} == {
        ImageStatusName.DELIVERED,
        ImageStatusName.ON_HOLD,
    }
    for member in ImageStatusName:
        assert STATUS_NAMES[member.value] == member.label == str(member)
        assert LEGACY_STATUS[member.value] == (member.legacy_id, member.legacy_label)


def test_of_reads_a_status_of_either_generation_and_tolerates_new_ids() -> None:
    ticket = uuid.uuid4()
    assert (
        ImageStatusName.of(pixelz.ImageStatus(image_ticket=ticket, status_id=70, is_paid=False))
        is ImageStatusName.PRODUCTION_FINISHED
    )
    assert ImageStatusName.of(legacy.ImageStatus(image_ticket=ticket, status_id=4)) is (
        ImageStatusName.DELIVERED
    )
    assert (
        ImageStatusName.of(pixelz.ImageStatus(image_ticket=ticket, status_id=99, is_paid=False))
        is None
    )


# --- tickets as values ----------------------------------------------------------------------


def test_string_parameters_accept_a_uuid() -> None:
    ticket = uuid.UUID("9a4e4e16-8e77-4e8c-b579-79fba86611e3")
    assert format_scalar("string", ticket, "image_ticket") == str(ticket)
    with pytest.raises(InvalidParameterError, match="expected str"):
        format_scalar("string", 5, "image_ticket")


@pytest.mark.parametrize("binding", list(Binding))
def test_the_ticket_the_client_returns_is_accepted_back_on_every_binding(
    sandbox: SandboxHandle, binding: Binding
) -> None:
    queued = sandbox.pixelz_client().add_image_to_queue(
        template_id="1001", image_url="http://127.0.0.1:9/a.jpg"
    )
    assert isinstance(queued.image_ticket, uuid.UUID)
    status = sandbox.pixelz_client(binding).get_image_status(image_ticket=queued.image_ticket)  # type: ignore[arg-type]
    assert status.image_status is not None
    assert status.image_status.image_ticket == queued.image_ticket
    old = sandbox.legacy_client(binding).get_image_status(image_ticket=queued.image_ticket)  # type: ignore[arg-type]
    assert old.image_status is not None and old.image_status.status_id == 1


# --- to_dict / from_dict --------------------------------------------------------------------

# every generated type of every generation (results and their parts)
MODELS = sorted(
    {m for g in GENERATIONS.values() for m in g.service.models},
    key=lambda m: (m.__module__, m.__name__),
)


def _strategy(tp: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, __import__("types").UnionType):
        return st.one_of([_strategy(t, depth) for t in typing.get_args(tp)])
    if origin is list:
        (item,) = typing.get_args(tp)
        if depth >= 3:
            return st.just([])
        return st.lists(_strategy(item, depth + 1), max_size=3)
    if tp is type(None):
        return st.none()
    if tp is UnsetType:
        return st.just(UNSET)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return st.builds(
            tp, **{f.name: _strategy(hints[f.name], depth + 1) for f in dataclasses.fields(tp)}
        )
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=20),
        int: st.integers(-(2**31), 2**31 - 1),
        bool: st.booleans(),
        uuid.UUID: st.uuids(),
        decimal.Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=4),
        datetime.datetime: st.datetimes(timezones=st.none() | st.just(datetime.UTC)),
        datetime.date: st.dates(),
        bytes: st.binary(max_size=16),
        float: st.floats(allow_nan=False),
    }
    return simple[tp]


@pytest.mark.parametrize(
    "model", MODELS, ids=lambda m: f"{m.__module__.rsplit('.', 1)[1]}.{m.__name__}"
)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_generated_type_round_trips_through_json(
    model: type[Any], data: st.DataObject
) -> None:
    value = data.draw(_strategy(model))
    plain = to_dict(value)
    text = json.dumps(plain)  # JSON-ready: nothing but dicts, lists, str, int, bool, None
    assert from_dict(model, json.loads(text)) == value
    assert from_json(model, to_json(value)) == value


@dataclasses.dataclass(kw_only=True)
class Sample:
    ticket: uuid.UUID
    amount: decimal.Decimal
    when: datetime.datetime
    day: datetime.date
    blob: bytes
    maybe: str | UnsetType | None = UNSET
    items: list[Sample | None] | None = None


@settings(max_examples=30, deadline=None)
@given(value=_strategy(Sample))
def test_uuids_decimals_datetimes_bytes_unset_and_nesting_round_trip(value: Sample) -> None:
    assert from_dict(Sample, json.loads(json.dumps(to_dict(value)))) == value


def test_json_forms_of_uuids_decimals_datetimes_bytes_and_unset() -> None:
    value = Sample(
        ticket=uuid.UUID(int=5),
        amount=decimal.Decimal("12.50"),
        when=datetime.datetime(2012, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        day=datetime.date(2012, 1, 2),
        blob=b"\x00\xff",
        items=[None],
    )
    plain = to_dict(value)
    assert plain == {
        "ticket": "00000000-0000-0000-0000-000000000005",
        "amount": "12.50",
        "when": "2012-01-02T03:04:05+00:00",
        "day": "2012-01-02",
        "blob": "AP8=",
        "items": [None],
    }  # UNSET: the key is left out; None stays null
    assert from_dict(Sample, plain) == value
    assert from_dict(Sample, {**plain, "maybe": None}).maybe is None


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"image_status": {"image_ticket": "nope", "status_id": 1}}, "image_status.image_ticket"),
        ({"image_status": {"status_id": 1}}, "image_status.image_ticket"),
        ({"image_status": {"image_ticket": str(uuid.UUID(int=1)), "status_id": "1"}}, "status_id"),
        ({"image_status": {"image_ticket": str(uuid.UUID(int=1)), "status_id": True}}, "status_id"),
        ({"image_status": [], "x": 1}, "x"),
        ({"image_status": []}, "image_status"),
    ],
)
def test_from_dict_names_the_path_of_a_bad_value(data: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        from_dict(legacy.ImageStatusResponse, data)
    assert where in info.value.parameter


def test_to_dict_refuses_what_json_cannot_carry() -> None:
    with pytest.raises(InvalidParameterError, match="cannot convert"):
        to_dict(pixelz.Money(currency=object()))  # type: ignore[arg-type]


def test_the_workflows_are_imported_on_first_use_only() -> None:
    import subprocess
    import sys

    code = (
        "import sys, removethebackground as r\n"
        "r.PixelzClient(email='a@b.c', api_key='k')\n"
        "assert 'removethebackground.workflows' not in sys.modules\n"
        "assert 'sqlite3' not in sys.modules\n"
        "from removethebackground import wait_for, Batch\n"
        "from removethebackground.workflows import wait_for as w\n"
        "assert wait_for is w and r.Batch is Batch\n"
        "try:\n"
        "    r.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
