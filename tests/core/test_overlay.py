"""The overlay of values the WSDL cannot say (codegen/overlays/*.toml).

- the generated signatures take the natural Python types;
- the client formats them as the wire expects, on every binding;
- bad values are refused before sending, naming the parameter, the value and the rule;
- the sandbox refuses the same values, sent raw, with the same rule;
- codegen refuses an overlay that does not match the WSDL;
- the golden file shows the rules and the API diff judges their changes.
"""

from __future__ import annotations

import datetime
import typing
import uuid
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from codegen.__main__ import main as codegen_main
from codegen.diff import diff_models
from codegen.model import build
from codegen.overlay import OverlayError, load_overlay, parse_overlay
from codegen.render import render_golden
from lxml import etree

from removethebackground import (
    Binding,
    InvalidArgumentFault,
    InvalidParameterError,
    InvalidStateError,
    NotFoundError,
    PixelzClient,
    RemoveTheBackgroundClient,
    TransportError,
)
from removethebackground.core.constraints import allowed, problem
from removethebackground.core.retry import RetryPolicy
from removethebackground.core.wire import Constraint, Field
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle
from support.replay import ReplayAdapter, session_with
from support.unchecked import call_unchecked

ROOT = Path(__file__).resolve().parents[2]
PIXELZ_WSDL = ROOT / "wsdl" / "pixelz" / "pixelz.wsdl"
PIXELZ_OVERLAY = ROOT / "codegen" / "overlays" / "pixelz.toml"
NS = "http://removethebackground.com/"
ALL = list(Binding)
HTTP = [Binding.HTTP_GET, Binding.HTTP_POST]


def capture(binding: Binding, call: typing.Callable[[Any], object]) -> dict[str, str]:
    """The parameters one call sends (element texts or form pairs), by XML name."""
    adapter = ReplayAdapter(requests.ConnectionError("nothing listens"))
    client = PixelzClient(
        "me@example.com",
        "key",
        binding=binding,
        endpoint="http://127.0.0.1:9/soap.asmx",
        session=session_with(adapter),
        retries=RetryPolicy(backoff=0),  # read-only calls are resent: without waiting
    )
    with pytest.raises(TransportError):
        call(client)
    sent = adapter.last
    if binding.is_soap:
        body = sent.body if isinstance(sent.body, bytes) else str(sent.body).encode()
        root = etree.fromstring(body)
        request = root[0][0]
        return {etree.QName(el).localname: el.text or "" for el in request}
    if binding is Binding.HTTP_GET:
        return dict(parse_qsl(urlsplit(sent.url).query, keep_blank_values=True))
    body = sent.body.decode() if isinstance(sent.body, bytes) else str(sent.body)
    return dict(parse_qsl(body, keep_blank_values=True))


def refused(call: typing.Callable[[Any], object], binding: Binding = Binding.SOAP11) -> str:
    adapter = ReplayAdapter(requests.ConnectionError("must not be reached"))
    client = PixelzClient(
        "me@example.com",
        "key",
        binding=binding,
        endpoint="http://127.0.0.1:9/soap.asmx",
        session=session_with(adapter),
    )
    with pytest.raises(InvalidParameterError) as info:
        call(client)
    assert adapter.sent == [], "the client sent a request it should have refused"
    return f"{info.value.parameter}|{info.value}"


# --- signatures -----------------------------------------------------------------------------------


def test_generated_signatures_take_the_natural_types() -> None:
    hints = typing.get_type_hints(PixelzClient.get_images_list)
    assert hints["images_per_page"] == int | str | None
    assert hints["page"] == int | str | None
    assert hints["is_descending"] == bool | str | None
    assert hints["from_date"] == datetime.date | str | None
    assert hints["sort_by"] == Literal["id", "date", "status"] | str | None
    assert hints["image_status"] == Literal[10, 50, 60, 70, 80] | str | None
    assert hints["product_id"] == str | None  # no rule: a free string as before
    status = typing.get_type_hints(PixelzClient.get_image_status)
    assert status["image_ticket"] == uuid.UUID | str | None
    partner = typing.get_type_hints(PixelzClient.add_partner_image_to_queue)
    assert partner["image_deadline_date_time_utc"] == datetime.datetime | str | None
    assert partner["image_requested_delivery_time_in_hours"] == Literal[24, 72, 168] | str | None
    template = typing.get_type_hints(PixelzClient.add_template)
    assert template["template_output_format"] == (
        Literal["JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD"] | str | None
    )
    legacy = typing.get_type_hints(RemoveTheBackgroundClient.get_image_status)
    assert legacy["image_ticket"] == uuid.UUID | str | None


def test_docstrings_name_the_rule_and_its_source() -> None:
    doc = PixelzClient.get_images_list.__doc__ or ""
    assert "``imagesPerPage`` (string) [0..1]; whole number 1..100 (source: service.md" in doc
    assert "one of id, date, status (any case)" in doc
    assert "InvalidParameterError" in doc
    spec = pixelz.MarkerInfo.__doc__ or ""
    assert "swatchColorCode" in spec and "#[0-9A-Fa-f]{6}" in spec


# --- on the wire ----------------------------------------------------------------------------------


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_natural_values_are_sent_as_the_service_reads_them(binding: Binding) -> None:
    sent = capture(
        binding,
        lambda c: c.get_images_list(
            images_per_page=100,
            page=2,
            is_descending=False,
            from_date=datetime.date(2024, 1, 31),
            to_date="2024-02-01",
            sort_by="id",
            image_status=80,
        ),
    )
    assert sent["imagesPerPage"] == "100" and sent["page"] == "2"
    assert sent["isDescending"] == "false"  # lower case, as in the recorded traffic
    assert (sent["fromDate"], sent["toDate"]) == ("2024-01-31", "2024-02-01")
    assert (sent["sortBy"], sent["imageStatus"]) == ("id", "80")
    on = capture(binding, lambda c: c.get_images_list(is_descending=True))
    assert on["isDescending"] == "true"


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_datetimes_go_in_utc_and_guids_as_text(binding: Binding) -> None:
    berlin = datetime.timezone(datetime.timedelta(hours=2))
    deadline = datetime.datetime(2999, 7, 1, 14, 30, 5, tzinfo=berlin)
    ticket = uuid.UUID("7e34fe68-8575-4a55-90a3-774437abccfb")
    sent = capture(
        binding,
        lambda c: c.add_partner_image_to_queue(
            application_code="app",
            template_id=1001,
            image_url="http://x/a.jpg",
            image_requested_delivery_time_in_hours=24,
            image_deadline_date_time_utc=deadline,
        ),
    )
    assert sent["imageDeadlineDateTimeUTC"] == "2999-07-01 12:30:05"
    assert (sent["templateId"], sent["imageRequestedDeliveryTimeInHours"]) == ("1001", "24")
    status = capture(binding, lambda c: c.get_image_status(image_ticket=ticket))
    assert status["imageTicket"] == str(ticket)


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_valid_strings_are_sent_unchanged(binding: Binding) -> None:
    """Callers that passed the service's strings send exactly what they sent before."""
    sent = capture(
        binding,
        lambda c: c.get_images_list(
            images_per_page="050", is_descending="True", sort_by="DATE", page=""
        ),
    )
    assert (sent["imagesPerPage"], sent["isDescending"], sent["sortBy"]) == ("050", "True", "DATE")
    assert sent["page"] == ""  # empty: "not given", as before
    nonticket = capture(
        binding, lambda c: c.get_image_status(image_ticket="nonticket", customer_image_id="c")
    )
    assert nonticket["imageTicket"] == "nonticket"


# --- refused before sending -----------------------------------------------------------------------

REFUSALS = [
    # (call, parameter, value as shown, words of the rule)
    (
        lambda c: c.get_images_list(images_per_page=500),
        "images_per_page",
        "500",
        "between 1 and 100",
    ),
    (
        lambda c: c.get_images_list(images_per_page="lots"),
        "images_per_page",
        "'lots'",
        "not a valid number",
    ),
    (lambda c: c.get_images_list(page=0), "page", "0", "at least 1"),
    (lambda c: c.get_images_list(sort_by="name"), "sort_by", "'name'", "one of id, date, status"),
    (lambda c: c.get_images_list(is_descending="yes"), "is_descending", "'yes'", "true or false"),
    (lambda c: c.get_images_list(image_status=15), "image_status", "15", "10, 50, 60, 70 or 80"),
    (
        lambda c: c.get_images_list(from_date="01/02/2024"),
        "from_date",
        "'01/02/2024'",
        "yyyy-MM-dd",
    ),
    (
        lambda c: c.get_images_list(from_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)),
        "from_date",
        "datetime",
        "value.date()",
    ),
    (
        lambda c: c.get_image_status(image_ticket="t-1"),
        "image_ticket",
        "'t-1'",
        "GUID or 'nonticket'",
    ),
    (
        lambda c: c.add_image_to_queue(
            image_url="http://x/a", image_requested_delivery_time_in_hours=48
        ),
        "image_requested_delivery_time_in_hours",
        "48",
        "24, 72 or 168",
    ),
    (
        lambda c: c.add_image_to_queue(
            image_url="http://x/a", image_deadline_date_time_utc=datetime.datetime(2030, 1, 1)
        ),
        "image_deadline_date_time_utc",
        "no time zone",
        "aware datetime",
    ),
    (
        lambda c: c.add_image_to_queue(
            image_url="http://x/a",
            image_deadline_date_time_utc=datetime.datetime.now(datetime.UTC)
            + datetime.timedelta(hours=23),
        ),
        "image_deadline_date_time_utc",
        "datetime.datetime(",
        "at least 24 hours ahead",
    ),
    (
        lambda c: c.add_template(template_output_format="gif"),
        "template_output_format",
        "'gif'",
        "JPG, JPEG",
    ),
    (
        lambda c: c.add_template(delivery_time_in_hour=48),
        "delivery_time_in_hour",
        "48",
        "168, 72 or 24",
    ),
    (lambda c: c.add_template(background_color="white"), "background_color", "'white'", "#RRGGBB"),
    (
        lambda c: c.add_template(template_name="Bad/Name"),
        "template_name",
        "'Bad/Name'",
        "letters, digits",
    ),
    (lambda c: c.add_template(is_kept_model=1), "is_kept_model", "1", "expected bool"),
    (lambda c: c.edit_contact(timezone_index=-1), "timezone_index", "-1", "between 0 and 200"),
    (
        lambda c: c.add_image_to_queue(
            image_url="http://x/a",
            color_change_requests=[
                pixelz.ColorChangeRequest(
                    color_change_request_markers=[pixelz.MarkerInfo(swatch_color_code="red")]
                )
            ],
        ),
        "swatch_color_code",
        "'red'",
        "#RRGGBB",
    ),
]


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_POST], ids=str)
@pytest.mark.parametrize(("call", "parameter", "shown", "rule"), REFUSALS)
def test_bad_values_are_refused_before_sending(
    binding: Binding, call: Any, parameter: str, shown: str, rule: str
) -> None:
    if binding is Binding.HTTP_POST and parameter == "swatch_color_code":
        pytest.skip("AddImageToQueue has no HTTP binding")
    if binding is Binding.HTTP_POST and "add_image_to_queue" in call.__code__.co_names:
        binding = Binding.SOAP12
    name, text = refused(call, binding).split("|", 1)
    assert name.endswith(parameter), text
    assert shown in text and rule in text, text


def test_the_refusal_says_where_the_rule_comes_from() -> None:
    _, text = refused(lambda c: c.get_images_list(images_per_page=101)).split("|", 1)
    assert text.startswith("images_per_page: 101 must be between 1 and 100 (source: service.md")


# --- the sandbox refuses the same values ----------------------------------------------------------


def _bad_texts(c: Constraint) -> list[str]:
    if c.kind == "integer":
        out = ["abc", "1.5"]
        if c.minimum is not None:
            out.append(str(c.minimum - 1))
        if c.maximum is not None:
            out.append(str(c.maximum + 1))
        return out
    if c.kind == "boolean":
        return ["maybe", "yes"]
    if c.kind == "choice":
        return ["999999" if c.numeric else "nope", "x"]
    if c.kind == "date":
        return ["2024-13-01", "1/2/2024"]
    if c.kind == "datetime":
        return ["tomorrow", "2001-01-01 00:00:00"]
    if c.kind == "guid":
        return ["not-a-guid"]
    return ["!/\\", "a" * ((c.max_length or 10) + 1) + "!"]


def _good_text(c: Constraint) -> str:
    return {
        "integer": str(c.minimum if c.minimum is not None else 0),
        "boolean": "false",
        "choice": c.choices[0] if c.choices else "",
        "date": "2024-02-29",
        "datetime": "2999-01-01 00:00:00",
        "guid": "7e34fe68-8575-4a55-90a3-774437abccfb",
    }.get(c.kind, _good_pattern_text(c))


def _good_pattern_text(c: Constraint) -> str:
    if c.pattern and "#" in c.pattern:
        return "#A0B1C2"
    if c.pattern and "@" in c.pattern:
        return "billing@example.com"
    return "Name (1)"


def _ruled() -> list[tuple[str, Field]]:
    out = []
    for op in pixelz.SERVICE.operations.values():
        for f in op.params:
            if f.constraint is not None:
                out.append((op.python_name, f))
    return out


def test_every_rule_is_enforced_alike_by_client_and_sandbox(sandbox: SandboxHandle) -> None:
    """For every parameter with a rule: what the client refuses before sending, the
    sandbox refuses when it arrives raw (sent without the client's checks), with a fault
    naming the parameter; what the client accepts, the sandbox does not refuse on that rule."""
    client = sandbox.pixelz_client(Binding.SOAP11)
    base = {"image_url": "http://example.com/a.jpg", "template_id": "1001"}
    checked = 0
    for method, f in _ruled():
        assert f.constraint is not None
        op = next(o for o in pixelz.SERVICE.operations.values() if o.python_name == method)
        names = {p.attr for p in op.params}
        extra = {k: v for k, v in base.items() if k in names and k != f.attr}
        for text in _bad_texts(f.constraint):
            kwargs = {**extra, f.attr: text}
            with pytest.raises(InvalidParameterError) as before:
                getattr(client, method)(**kwargs)
            assert before.value.parameter == f.attr
            assert repr(text)[:40] in str(before.value)
            with pytest.raises(InvalidArgumentFault) as after:
                call_unchecked(client, method, **kwargs)
            wrong = problem(f.constraint, text, sandbox.clock.now())
            assert wrong is not None
            assert after.value.message.startswith(f"{f.name} {wrong}: "), after.value.message
            assert wrong in str(before.value) or allowed(f.constraint) in str(before.value)
            checked += 1
        good = _good_text(f.constraint)
        kwargs = {**extra, f.attr: good}
        try:
            getattr(client, method)(**kwargs)
        except InvalidArgumentFault as exc:  # other rules of the handler may still apply
            assert not exc.message.startswith(f"{f.name} "), exc.message
        except InvalidParameterError as exc:  # pragma: no cover - a failure
            pytest.fail(f"{method}({f.attr}={good!r}) refused: {exc}")
        except RemoveTheBackgroundErrorTypes:
            pass
    assert checked > 100


RemoveTheBackgroundErrorTypes = (NotFoundError, InvalidStateError)


# --- the overlay against the WSDL -----------------------------------------------------------------


def _build(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "overlay.toml"
    path.write_text(text, encoding="utf-8")
    overlay = load_overlay(path, tmp_path)
    return build("pixelz", PIXELZ_WSDL, "PixelzClient", ROOT, overlay)


RULE = 'kind = "integer", minimum = 1, source = "service.md"'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            f"[operations.GetImagesLists]\npage = {{ {RULE} }}",
            "operation 'GetImagesLists' is not in the WSDL",
        ),
        (
            f"[operations.GetImagesList]\npages = {{ {RULE} }}",
            "GetImagesList has no parameter 'pages'",
        ),
        (f"[operations.GetImagesList]\nPage = {{ {RULE} }}", "no parameter 'Page'"),
        (f"[types.Marker]\nmarkerX = {{ {RULE} }}", "type 'Marker' is not in the WSDL's schema"),
        (
            f"[types.MarkerInfo]\nmarker = {{ {RULE} }}",
            "type MarkerInfo has no element or attribute 'marker'",
        ),
        (
            f"[types.ImageStatus]\nStatusId = {{ {RULE} }}",
            "is int in the WSDL, not a single xsd:string",
        ),
        (f"[operations.AddImageToQueue]\ncolorwayIds = {{ {RULE} }}", "not a single xsd:string"),
        (f"[operations.GetImagesList]\ncontactAPIkey = {{ {RULE} }}", "is a credential"),
        (
            '[operations.GetImagesList]\npage = { kind = "integer" }',
            "every rule says where it comes from",
        ),
        (
            '[operations.GetImagesList]\npage = { kind = "number", source = "x" }',
            "kind must be one of",
        ),
        (
            '[operations.GetImagesList]\npage = { kind = "integer", max = 3, source = "x" }',
            "unknown keys max",
        ),
        (
            '[operations.GetImagesList]\npage = { kind = "boolean", minimum = 3, source = "x" }',
            "do not apply",
        ),
        ('[operations.GetImagesList]\npage = "paging"', "no rule named 'paging'"),
        (
            '[operations.GetImagesList]\npage = { kind = "choice", choices = [], source = "x" }',
            "non-empty",
        ),
        (
            '[operations.GetImagesList]\npage = { kind = "text", pattern = "(", source = "x" }',
            "not a regex",
        ),
        (
            '[operations.GetImagesList]\npage = { kind = "integer", minimum = 5, maximum = 1, '
            'source = "x" }',
            "above maximum",
        ),
        ("[other]\nx = 1", "unknown sections other"),
        ("[operations.GetImagesList\n", "not valid TOML"),
    ],
)
def test_codegen_refuses_an_overlay_that_does_not_fit_the_wsdl(
    tmp_path: Path, text: str, says: str
) -> None:
    with pytest.raises(OverlayError) as info:
        _build(tmp_path, text)
    assert says in str(info.value)
    assert "overlay.toml" in str(info.value)


def test_the_cli_reports_an_overlay_error_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[operations.Nope]\npage = {{ {RULE} }}\n", encoding="utf-8")
    code = codegen_main(["diff", str(PIXELZ_WSDL), str(PIXELZ_WSDL), "--new-overlay", str(bad)])
    assert code == 3
    assert "operation 'Nope' is not in the WSDL" in capsys.readouterr().err


# --- golden file and API diff ---------------------------------------------------------------------


def test_the_golden_file_shows_every_rule() -> None:
    golden = (ROOT / "codegen" / "golden" / "pixelz.txt").read_text(encoding="utf-8")
    assert "With the reviewed overlay codegen/overlays/pixelz.toml" in golden
    for method, f in _ruled():
        assert f"  value {f.name}: " in golden, (method, f.name)
    assert (
        "  value imagesPerPage: whole number 1..100 <- per-page "
        "[service.md: imagesPerPage at most 100" in golden
    )
    assert "    value swatchColorCode: text matching #[0-9A-Fa-f]{6} <- colour" in golden


def _model(text: str) -> Any:
    return build("pixelz", PIXELZ_WSDL, "PixelzClient", ROOT, parse_overlay(text, "o.toml"))


@pytest.mark.parametrize(
    ("old", "new", "kind", "breaking"),
    [
        ("", f"page = {{ {RULE} }}", "param_values_narrowed", True),
        (f"page = {{ {RULE} }}", "", "param_values_widened", False),
        (
            'page = { kind = "integer", minimum = 1, maximum = 100, source = "s" }',
            'page = { kind = "integer", minimum = 1, maximum = 50, source = "s" }',
            "param_values_narrowed",
            True,
        ),
        (
            'page = { kind = "integer", minimum = 1, maximum = 50, source = "s" }',
            'page = { kind = "integer", minimum = 0, source = "s" }',
            "param_values_widened",
            False,
        ),
        (
            'sortBy = { kind = "choice", choices = ["id", "date"], source = "s" }',
            'sortBy = { kind = "choice", choices = ["id", "date", "status"], source = "s" }',
            "param_values_widened",
            False,
        ),
        (
            'sortBy = { kind = "choice", choices = ["id", "date", "status"], source = "s" }',
            'sortBy = { kind = "choice", choices = ["id", "status"], source = "s" }',
            "param_values_narrowed",
            True,
        ),
        (
            'sortBy = { kind = "choice", choices = ["id", "date"], source = "s" }',
            'sortBy = { kind = "choice", choices = ["id", "status"], source = "s" }',
            "param_values_changed",
            True,
        ),
        (
            'page = { kind = "integer", source = "s" }',
            'page = { kind = "boolean", source = "s" }',
            "param_values_changed",
            True,
        ),
        (
            f"page = {{ {RULE} }}",
            'page = { kind = "integer", minimum = 1, source = "help page" }',
            "param_values_changed",
            False,
        ),
    ],
)
def test_the_api_diff_judges_overlay_changes(old: str, new: str, kind: str, breaking: bool) -> None:
    diff = diff_models(
        _model(f"[operations.GetImagesList]\n{old}\n"),
        _model(f"[operations.GetImagesList]\n{new}\n"),
    )
    assert [(c.kind, c.breaking, c.subject) for c in diff.changes] == [
        (kind, breaking, "get_images_list")
    ]


def test_the_vendored_overlay_against_none_is_all_narrowing() -> None:
    bare = build("pixelz", PIXELZ_WSDL, "PixelzClient", ROOT)
    ruled = build("pixelz", PIXELZ_WSDL, "PixelzClient", ROOT, load_overlay(PIXELZ_OVERLAY, ROOT))
    diff = diff_models(bare, ruled)
    assert diff.changes and all(c.kind.endswith("_values_narrowed") for c in diff.changes)
    assert len(diff.changes) == len(_ruled()) + 1  # + MarkerInfo.swatchColorCode
    assert render_golden(bare, ROOT) != render_golden(ruled, ROOT)
