"""Settings of one sandbox and the demo account (each generation's path is in the registry,
``GENERATIONS[key].sandbox_path``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_RETENTION_SECONDS",
    "DEMO_API_KEY",
    "DEMO_EMAIL",
    "SandboxConfig",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8110

# The demo account of the recorded traffic (asmx-traffic/*): well known, not a secret.
DEMO_EMAIL = "demo@example.com"
DEMO_API_KEY = "demo-key"

# How long the service keeps delivered results is documented nowhere we can read
# (service.md is silent, and the contract's ImageStatus has no field for it). The sandbox
# assumes 30 days, what file-delivery services of the time commonly kept, and keeps the
# status as it was (Delivered, with its FinalImagesURL): only the URLs stop answering,
# with the 404 a storage front-end gives for a deleted object. Tests shorten it.
DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Behaviour knobs; every one has a default that suits ``rtb sandbox``.

    Attributes:
        step_seconds: time (on the sandbox clock) between two status steps:
            10 New -> 60 In Production -> 70 Production Finished -> 80 Delivered.
        webhook_attempts: how many times a notification is tried before giving up.
        webhook_backoff: seconds before the first retry; doubled for each later one.
        webhook_timeout: seconds to wait for the receiver (connect and read each).
        fetch_timeout: seconds to wait when fetching an image (connect and read each).
        max_image_bytes: larger images (downloads and uploads) are refused.
        max_request_bytes: larger SOAP / form requests are refused as ASMX refuses
            them beyond ``maxRequestLength`` (rule 15 of ``removethebackground.service``).
        synthetic_example_images: serve a generated product photo for URLs on the
            reserved example domains (example.com/.net/.org and ``*.example``)
            instead of fetching them, so documentation and recorded examples work
            offline.
        processing_threads: threads that remove backgrounds.
        require_wsse: refuse SOAP requests without a valid WS-Security UsernameToken
            (contact email / API key; see :mod:`.wsse`).
        require_wsa: refuse SOAP requests without WS-Addressing Action and To that
            match the SOAPAction and the endpoint.
        request_log_size: how many received requests the request log keeps (the
            newest; see :mod:`.requestlog`); 0 turns the log off.
        retention_seconds: how long a delivered image's results stay downloadable,
            counted from its delivery; past it ``GET /out/...`` answers 404 (see
            :data:`DEFAULT_RETENTION_SECONDS`).
    """

    step_seconds: float = 3.0
    webhook_attempts: int = 5
    webhook_backoff: float = 1.0
    webhook_timeout: float = 5.0
    fetch_timeout: float = 10.0
    max_image_bytes: int = 25 * 1024 * 1024
    max_request_bytes: int = 4 * 1024 * 1024
    synthetic_example_images: bool = True
    processing_threads: int = 2
    require_wsse: bool = False
    require_wsa: bool = False
    request_log_size: int = 1000
    retention_seconds: float = DEFAULT_RETENTION_SECONDS

    def __post_init__(self) -> None:
        if not self.step_seconds > 0:
            raise ValueError("step_seconds must be a positive number of seconds")
        if self.webhook_attempts < 1:
            raise ValueError("webhook_attempts must be at least 1")
        if not self.webhook_backoff >= 0:
            raise ValueError("webhook_backoff must be >= 0")
        for name in ("webhook_timeout", "fetch_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be a positive number of seconds")
        if self.max_image_bytes < 1 or self.max_request_bytes < 1:
            raise ValueError("size limits must be positive")
        if self.request_log_size < 0:
            raise ValueError("request_log_size must be >= 0 (0: no request log)")
        if not self.retention_seconds > 0:
            raise ValueError("retention_seconds must be a positive number of seconds")
        if self.processing_threads < 1:
            raise ValueError("processing_threads must be at least 1")
