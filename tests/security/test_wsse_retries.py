"""A retried call and the WS-Security headers: with envelope plugins the client builds the
request again for every attempt (``HttpRequest.renew``), so a UsernameToken's nonce (and a
Timestamp, a MessageID, a signature) is new in each message, and a service that refuses
replays takes the retry."""

from __future__ import annotations

from typing import Any

import requests
from lxml import etree
from requests.adapters import HTTPAdapter

from removethebackground.core.retry import RetryPolicy
from removethebackground.plugins.wsse import FailedAuthenticationError, UsernameToken
from removethebackground.plugins.wsse.names import WSSE_NS
from removethebackground.testing.sandbox import run_sandbox
from support.clients import sandbox_client

EMAIL = "demo@example.com"
KEY = "demo-key"


class LoseFirstAnswer(HTTPAdapter):
    """Delivers every request; the first answer is lost on the way back (a read timeout)."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self.bodies.append(bytes(request.body or b""))  # type: ignore[arg-type]
        answer = super().send(request, *args, **kwargs)
        if len(self.bodies) == 1:
            raise requests.exceptions.ReadTimeout("the answer was lost", request=request)
        return answer


def _call_with_a_lost_first_answer(kind: str) -> tuple[LoseFirstAnswer, Any]:
    adapter = LoseFirstAnswer()
    session = requests.Session()
    session.mount("http://", adapter)
    with run_sandbox(require_wsse=True) as sb:
        ticket = sb.seed_image(status=10)
        client = sandbox_client(
            kind,
            sb,
            plugins=[UsernameToken(EMAIL, KEY, digest=True)],
            session=session,
            retries=RetryPolicy(attempts=2, backoff=0.01),
        )
        try:
            return adapter, client.get_image_status(image_ticket=ticket)
        except FailedAuthenticationError as exc:
            return adapter, exc


def test_a_retried_call_with_a_username_token_sends_a_new_nonce_and_succeeds(
    client_kind: str,
) -> None:
    adapter, outcome = _call_with_a_lost_first_answer(client_kind)
    assert len(adapter.bodies) == 2
    assert not isinstance(outcome, Exception), outcome
    first, second = (_nonce(body) for body in adapter.bodies)
    assert first and second and first != second  # built again: not refused as a replay


def _nonce(body: bytes) -> str:
    root = etree.fromstring(body)
    found = root.find(f".//{{{WSSE_NS}}}Nonce")
    return "" if found is None else (found.text or "")
