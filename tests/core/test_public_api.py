"""Pin the public surface, and what importing and constructing a client may do."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import uuid

import pytest

import removethebackground
from removethebackground import Binding, PixelzClient, RemoveTheBackgroundClient
from removethebackground.core.errors import InvalidParameterError, UnsupportedBindingError
from removethebackground.generated import legacy, pixelz

PUBLIC = {
    "UNSET",
    "GENERATIONS",
    "AuthenticationError",
    "Binding",
    "ClientFault",
    "ConnectionFailedError",
    "HTTPStatusError",
    "InvalidArgumentFault",
    "InvalidParameterError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PixelzClient",
    "AsyncPixelzClient",
    "AsyncRemoveTheBackgroundClient",
    "ProtocolFault",
    "RemoveTheBackgroundClient",
    "RemoveTheBackgroundError",
    "RetryPolicy",
    "RetryingTransport",
    "Secret",
    "ServerFault",
    "ServiceFault",
    "TLSVerificationError",
    "TransportError",
    "TransportTimeout",
    "UnsetType",
    "UnsupportedBindingError",
    "__version__",
    # removethebackground.workflows
    "Batch",
    "BatchError",
    "BatchSummary",
    "DownloadError",
    "ImageStatusName",
    "PresignedPutUploader",
    "SandboxUploader",
    "UploadError",
    "Uploader",
    "WaitTimeout",
    "WebhookNotification",
    "WebhookVerificationError",
    "download",
    "from_dict",
    "iter_images",
    "iter_product_ids",
    "submit",
    "to_dict",
    "to_json",
    "verify_webhook",
    "wait_for",
    "webhook_app",
}


def test_public_names_are_pinned() -> None:
    assert set(removethebackground.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(removethebackground, name), name


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    # Each name of __all__ comes from its module on first use: a typo in the table of
    # sources would only show here (the test process has imported everything already).
    code = (
        "import removethebackground as r\n"
        "missing = [n for n in r.__all__ if not hasattr(r, n)]\n"
        "assert not missing, missing\n"
        "assert sorted(dir(r)) == dir(r) and set(r.__all__) <= set(dir(r))\n"
        "from removethebackground import *\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_generated_client_is_public() -> None:
    from removethebackground import generated

    assert set(generated.__all__) <= set(removethebackground.__all__)


def test_unknown_names_are_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'PixelClient'"):
        removethebackground.PixelClient  # noqa: B018


def test_the_package_import_is_lazy() -> None:
    # ``import removethebackground`` loads nothing of the package but its version; a name
    # loads what it needs (an error class: the errors module, not the client's dependencies).
    code = (
        "import sys, json, removethebackground as r\n"
        "def loaded():\n"
        "    return sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'lxml',\n"
        "        'urllib3', 'click', 'rich', 'removethebackground'))\n"
        "after_import = loaded()\n"
        "r.ServiceFault\n"
        "after_error = loaded()\n"
        "r.PixelzClient\n"
        "after_client = loaded()\n"
        "print(json.dumps([after_import, after_error, after_client]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    after_import, after_error, after_client = json.loads(done.stdout)
    assert after_import == ["removethebackground", "removethebackground._version"]
    heavy = ("requests", "lxml", "urllib3", "removethebackground.generated")
    assert not [m for m in after_error if m.startswith(heavy)], after_error
    assert "removethebackground.generated.pixelz" in after_client
    assert not [m for m in after_client if m.startswith("removethebackground.workflows")]


def test_import_and_construction_load_neither_zeep_nor_a_wsdl() -> None:
    code = (
        "import sys, removethebackground as r\n"
        "r.PixelzClient(email='a@b.c', api_key='k')\n"
        "r.RemoveTheBackgroundClient(email='a@b.c', api_key='k', binding='http_get')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('zeep', 'codegen')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_operation_is_one_typed_method() -> None:
    expected = {op.python_name for op in pixelz.SERVICE.operations.values()}
    assert len(expected) == 16
    for name in expected:
        method = getattr(PixelzClient, name)
        doc = inspect.getdoc(method) or ""
        op = next(o for o in pixelz.SERVICE.operations.values() if o.python_name == name)
        assert f"``{op.name}``" in doc and op.soap_actions[Binding.SOAP11] in doc
        params = inspect.signature(method).parameters
        assert "contact_email" not in params and "contact_api_key" not in params
        assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")
    sig = inspect.signature(RemoveTheBackgroundClient.get_image_status)
    assert list(sig.parameters) == ["self", "image_ticket"]


def test_results_are_generated_dataclasses_not_unwrapped() -> None:
    hints = inspect.get_annotations(RemoveTheBackgroundClient.get_image_status)
    assert hints["return"] == "ImageStatusResponse"
    status = legacy.ImageStatusResponse(
        image_status=legacy.ImageStatus(image_ticket=uuid.uuid4(), status_id=1)
    )
    assert status.image_status is not None and status.image_status.status_name is None


def test_the_endpoint_defaults_to_the_wsdl_address_and_can_be_overridden() -> None:
    assert PixelzClient("a@b.c", "k").endpoint == "https://api.pixelz.com/soap.asmx"
    legacy_client = RemoveTheBackgroundClient("a@b.c", "k")
    assert legacy_client.endpoint == "https://api.removethebackground.com/soap.asmx"
    other = PixelzClient("a@b.c", "k", endpoint="http://127.0.0.1:8110/soap.asmx")
    assert other.endpoint == "http://127.0.0.1:8110/soap.asmx"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"email": "", "api_key": "k"}, "email"),
        ({"email": "a@b.c", "api_key": ""}, "api_key"),
        ({"email": "a@b.c", "api_key": "k", "binding": "soap13"}, "binding"),
        ({"email": "a@b.c", "api_key": "k", "endpoint": "ftp://x/soap.asmx"}, "endpoint"),
        ({"email": "a@b.c", "api_key": "k", "timeout": 0}, "timeout"),
        ({"email": "a@b.c", "api_key": "k", "timeout": float("inf")}, "timeout"),
    ],
)
def test_bad_construction_names_the_parameter(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(**kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    assert isinstance(info.value, ValueError)


def test_repr_hides_the_key() -> None:
    client = PixelzClient("a@b.c", "s3cr3t-key", binding=Binding.SOAP12)
    assert "s3cr3t-key" not in repr(client)
    assert "soap12" in repr(client)


def test_binding_parse_accepts_names_and_values() -> None:
    assert Binding.parse("SOAP12") is Binding.SOAP12
    assert Binding.parse("http-get") is Binding.HTTP_GET
    assert Binding.parse(Binding.HTTP_POST) is Binding.HTTP_POST
    with pytest.raises(ValueError, match="soap11"):
        Binding.parse("xml-rpc")


def test_with_binding_shares_the_session() -> None:
    client = PixelzClient("a@b.c", "k")
    other = client.with_binding("http_post")
    assert other.binding is Binding.HTTP_POST
    assert other._session is client._session


def test_unsupported_binding_is_refused_before_sending() -> None:
    client = PixelzClient(
        "a@b.c", "k", binding=Binding.HTTP_GET, endpoint="http://127.0.0.1:9/soap.asmx"
    )
    with pytest.raises(UnsupportedBindingError, match="AddImageToQueue"):
        client.add_image_to_queue(image_url="http://example.com/a.jpg")


def test_urllib3_debug_log_hides_every_credential_parameter() -> None:
    import logging

    from removethebackground.core.secret import RedactingFilter
    from removethebackground.core.wire import SECRET_PARAMS

    url = "GET /soap.asmx/Op?contactAPIkey=k1&developerAPIkey=d2&applicationCode=c3&page=1"
    record = logging.LogRecord("urllib3.connectionpool", 10, "", 0, "%s", (url,), None)
    assert RedactingFilter(SECRET_PARAMS).filter(record)
    text = record.getMessage()
    assert not any(secret in text for secret in ("k1", "d2", "c3")), text
    assert "page=1" in text
    assert {"contactapikey", "developerapikey", "applicationcode"} <= SECRET_PARAMS


def test_an_endpoint_with_a_query_is_refused_without_echoing_the_query() -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient("a@b.c", "k", endpoint="https://h.example/soap.asmx?apikey=hunter2#x")
    text = str(info.value)
    assert info.value.parameter == "endpoint"
    assert "pass 'https://h.example/soap.asmx'" in text and "hunter2" not in text


def test_the_repr_shows_no_user_info_of_the_endpoint() -> None:
    client = PixelzClient("a@b.c", "k", endpoint="https://user:pa55@h.example/soap.asmx")
    assert "pa55" not in repr(client) and "user" not in repr(client)
    assert "https://h.example/soap.asmx" in repr(client)
