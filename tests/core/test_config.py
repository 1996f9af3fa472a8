"""The client's configuration: one immutable object, checked once; plugins as objects and
registries (``make contracts`` checks that the core imports no plugin)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from removethebackground import Binding, InvalidParameterError, RetryPolicy
from removethebackground.bindings import CallContext
from removethebackground.core.config import ClientConfig
from removethebackground.core.faults import DEFAULT_FAULT_TABLE
from removethebackground.core.http import HttpAnswer, HttpRequest
from removethebackground.generated import pixelz
from removethebackground.plugins.addressing import Addressing


class _Canned:
    """A transport that answers every request with one body."""

    def __init__(self, status: int, ctype: str, body: bytes) -> None:
        self.answer = HttpAnswer(status, "x", {"Content-Type": ctype}, body)

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        return self.answer

    def close(self) -> None:
        pass


def test_the_keyword_arguments_make_one_frozen_config() -> None:
    client = pixelz.PixelzClient(
        "a@b.c", "key-1234", binding="soap12", timeout=(2, 5), deadline=9, retries=2
    )
    config = client.config
    assert isinstance(config, ClientConfig)
    assert config.binding is Binding.SOAP12 and config.timeout == (2, 5)
    assert config.deadline == 9 and config.retries == RetryPolicy(attempts=3)
    assert config.endpoint == pixelz.SERVICE.default_endpoints[Binding.SOAP12]
    assert config.fault_classes is DEFAULT_FAULT_TABLE and config.strict is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.timeout = 1  # type: ignore[misc]
    assert "key-1234" not in repr(config)


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"timeout": -1}, "timeout"),
        ({"deadline": 0}, "deadline"),
        ({"retries": 500}, "retries"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"endpoint": "ftp://x/soap.asmx"}, "endpoint"),
        ({"binding": "soap13"}, "binding"),
        ({"plugins": [object()]}, "plugins"),
        ({"fault_classes": "x"}, "fault_classes"),
        ({"strict": True}, "strict"),
        ({"verify": "/no/such/ca.pem"}, "verify"),
    ],
)
def test_a_copy_is_checked_as_the_original(change: dict[str, Any], parameter: str) -> None:
    config = pixelz.PixelzClient("a@b.c", "k").config
    with pytest.raises(InvalidParameterError) as info:
        dataclasses.replace(config, **change)
    assert info.value.parameter == parameter


def test_with_binding_derives_the_config_and_shares_the_transport() -> None:
    client = pixelz.PixelzClient(
        "a@b.c", "k", endpoint="http://host/soap.asmx", timeout=3, plugins=[Addressing()]
    )
    other = client.with_binding(Binding.HTTP_POST)
    assert other.config == dataclasses.replace(
        client.config, binding=Binding.HTTP_POST, plugins=()
    )
    assert other.transport is client.transport and other.endpoint == client.endpoint
    back = other.with_binding("soap11")
    assert back.config.plugins == () and back.transport is client.transport
    soap12 = client.with_binding("soap12")
    assert soap12.config.plugins == client.config.plugins
    other.close()  # a clone leaves the shared transport open
    assert client.get_image_status is not None


def test_addressing_is_given_the_client_endpoint() -> None:
    plugin = Addressing()
    client = pixelz.PixelzClient("a@b.c", "k", endpoint="http://host/x.asmx", plugins=[plugin])
    assert client.config.plugins == (plugin,) and plugin.to is None
    (bound,) = client._plugins
    assert isinstance(bound, Addressing) and bound.to == "http://host/x.asmx"
    fixed = Addressing(to="http://elsewhere/soap.asmx")
    assert pixelz.PixelzClient("a@b.c", "k", plugins=[fixed])._plugins == (fixed,)
    with pytest.raises(InvalidParameterError) as info:
        pixelz.PixelzClient("a@b.c", "k", binding=Binding.HTTP_GET, plugins=[Addressing()])
    assert info.value.parameter == "plugins"


# A WS-Security fault, over SOAP 1.1 (the code) and SOAP 1.2 (the subcode).
_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_TEXT = "The security token could not be authenticated or authorized"
SOAP11_FAULT = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    f'<soap:Fault><faultcode xmlns:wsse="{_WSSE}">wsse:FailedAuthentication</faultcode>'
    f"<faultstring>{_TEXT}</faultstring></soap:Fault></soap:Body></soap:Envelope>"
)
SOAP12_FAULT = (
    '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
    "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode>"
    f'<soap:Value xmlns:wsse="{_WSSE}">wsse:FailedAuthentication</soap:Value></soap:Subcode>'
    f'</soap:Code><soap:Reason><soap:Text xml:lang="en">{_TEXT}</soap:Text></soap:Reason>'
    "</soap:Fault></soap:Body></soap:Envelope>"
)


def test_a_security_fault_maps_to_its_class_once_the_plugin_is_imported() -> None:
    """Without the plugin imported the fault is plain; importing it registers the classes."""
    code = textwrap.dedent(
        f"""
        import sys
        from removethebackground import ClientFault, ServiceFault, AuthenticationError
        from removethebackground.core.http import HttpAnswer
        from removethebackground.generated import pixelz
        SOAP11_FAULT, SOAP12_FAULT = {SOAP11_FAULT!r}, {SOAP12_FAULT!r}

        class _Canned:
            def __init__(self, status, ctype, body):
                self.answer = HttpAnswer(status, "x", {{"Content-Type": ctype}}, body)
            def send(self, request, ctx):
                return self.answer
            def close(self):
                pass

        def error(binding, body, ctype):
            client = pixelz.PixelzClient("a@b.c", "k", binding=binding,
                                         transport=_Canned(500, ctype, body.encode()))
            try:
                client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
            except ServiceFault as exc:
                return exc
            raise AssertionError("no fault")

        def both():
            return (error("soap11", SOAP11_FAULT, "text/xml; charset=utf-8"),
                    error("soap12", SOAP12_FAULT, "application/soap+xml; charset=utf-8"))

        old11, old12 = both()
        assert not [m for m in sys.modules if m.startswith("removethebackground.plugins")]
        assert type(old11) is ServiceFault and old11.code == "FailedAuthentication", repr(old11)
        assert type(old12) is ClientFault and old12.subcode == "FailedAuthentication"
        from removethebackground.plugins.wsse import FailedAuthenticationError
        new11, new12 = both()
        for exc in (new11, new12):
            assert type(exc) is FailedAuthenticationError, repr(exc)
            assert isinstance(exc, AuthenticationError) and exc.subcode == "FailedAuthentication"
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_registered_fault_classes_must_be_service_faults() -> None:
    from removethebackground.core.faultcodes import register_fault_codes

    with pytest.raises(TypeError):
        register_fault_codes("urn:x", {"A": ValueError}, InvalidParameterError)  # type: ignore[dict-item, arg-type]
    with pytest.raises(ValueError, match="namespace"):
        register_fault_codes("", {}, InvalidParameterError)  # type: ignore[arg-type]
