"""What every ``rtb`` command shares: exit codes, the one-line error, the run's state.

This module needs click only: the settings, the clients, the workflows and the output
(rich) are imported when a command first asks for them, so ``rtb --help`` and
``rtb GROUP --help`` load none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..core.client import ServiceClient
    from .render import Output
    from .settings import Settings

__all__ = [
    "EXIT",
    "CliError",
    "State",
    "describe",
    "exit_code_of",
    "json_option",
    "parse_ticket",
    "per_ticket",
    "profile_option",
    "seconds",
    "state",
    "wait_options",
    "want_json",
    "with_options",
    "workflows",
]

# Exit codes (documented in the package docstring and docs/cli.md).
EXIT = {
    "ok": 0,
    "failed": 1,  # the work did not succeed: an image on hold, a failed download ...
    "usage": 2,  # bad flags or values, missing credentials, unusable config
    "fault": 3,  # the service answered with a fault
    "transport": 4,  # no usable answer: connection refused, bad HTTP, malformed XML
    "timeout": 5,  # no answer in time, or --timeout passed while waiting
    "interrupted": 130,
}

F = TypeVar("F", bound=Callable[..., Any])


class CliError(Exception):
    """An error to print as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT["failed"]) -> None:
        super().__init__(message)
        self.code = code


class State:
    """Global options of one run; builds the settings, output and clients on first use."""

    def __init__(
        self,
        *,
        flags: dict[str, str | None],
        profile: str | None,
        json_output: bool,
        timeout: float,
        validate: bool = True,
        rate_limits: Any = None,
    ) -> None:
        self.flags = flags
        self.rate_limits = rate_limits
        self.validate = validate
        self.profile = profile
        self.json = json_output
        self.timeout = timeout
        self.secrets: set[str] = set()
        self._settings: Settings | None = None
        self._output: Output | None = None
        if flags.get("api_key"):
            self.secrets.add(str(flags["api_key"]))

    @property
    def output(self) -> Output:
        """Tables, JSON and progress bars of this run (rich, imported here)."""
        if self._output is None:
            from .render import Output

            self._output = Output(json_output=self.json)
        return self._output

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from . import settings as settings_mod

            try:
                self._settings = settings_mod.resolve(self.flags, profile=self.profile)
            except settings_mod.ConfigError as exc:
                raise CliError(str(exc), EXIT["usage"]) from None
            key = self._settings.get("api_key")
            if key:
                self.secrets.add(key)
        return self._settings

    def use_profile(self, profile: str | None) -> None:
        """Read the settings of ``profile`` from now on (``--profile`` of a subcommand)."""
        if profile:
            self.profile = profile
            self._settings = None

    @property
    def generation(self) -> str:
        return self.settings.generation

    def client(self, generation: str | None = None) -> ServiceClient:
        """A client of ``generation`` (default: the one in force) for the configured account."""
        from ..core.errors import InvalidParameterError
        from ..generated import GENERATIONS
        from . import settings as settings_mod

        s = self.settings
        gen = generation or s.generation
        email, key = s.get("email"), s.get("api_key")
        if not email or not key:
            missing = "RTB_EMAIL" if not email else "RTB_API_KEY"
            raise CliError(
                f"no account: {missing} is not set; export RTB_EMAIL and RTB_API_KEY, pass "
                "--email/--api-key, or run `rtb config set email ...` and `rtb config set api-key`",
                EXIT["usage"],
            )
        client_class = GENERATIONS[gen].client_class
        try:
            client: ServiceClient = client_class(
                email,
                key,
                binding=s.binding,
                endpoint=s.endpoint(gen),
                endpoint_source=s.endpoint_source(gen),
                timeout=self.timeout,
                validate=self.validate,
                rate_limits=settings_mod.rate_limits(self.rate_limits),
            )
        except InvalidParameterError as exc:
            raise CliError(f"{exc}", EXIT["usage"]) from None
        return client

    def redact(self, text: str) -> str:
        """``text`` with every form of every secret of this run replaced by ``***``."""
        if not self.secrets:
            return text
        from ..core.redaction import redact

        return redact(text, self.secrets)


def state() -> State:
    """The :class:`State` of the running ``rtb`` command."""
    ctx = click.get_current_context()
    obj = ctx.find_object(State)
    if obj is None:  # pragma: no cover - the root group always sets it
        raise RuntimeError("rtb state missing")
    return obj


def want_json(local: bool) -> bool:
    """Whether to print JSON: ``--json`` given here (``local``) or before the command."""
    current = state()
    if local:
        current.json = True
        if current._output is not None:
            current._output.json = True
    return current.json


def workflows() -> Any:
    """The workflows library (``removethebackground.workflows``)."""
    try:
        from .. import workflows as wf
    except ImportError as exc:  # pragma: no cover - depends on the installed version
        raise CliError(
            f"this command needs removethebackground.workflows, which this installation "
            f"lacks ({exc}): upgrade removethebackground",
        ) from None
    return wf


def parse_ticket(text: str) -> str:
    """An image ticket as the canonical GUID text; a usage error otherwise."""
    import uuid

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise CliError(
            f"{text!r} is not an image ticket: give the GUID that submit printed", EXIT["usage"]
        ) from None


json_option = click.option(
    "--json", "json_flag", is_flag=True, help="print JSON for scripts instead of tables"
)

profile_option = click.option(
    "--profile", "profile", metavar="NAME", help="the profile (default: RTB_PROFILE or default)"
)

wait_options = [
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.0),
        default=3600.0,
        show_default=True,
        help="seconds to wait in all; exit code 5 when they run out",
    ),
    click.option(
        "--poll",
        type=click.FloatRange(min=0.05),
        default=2.0,
        show_default=True,
        help="seconds between the first status checks (then backing off)",
    ),
]


def with_options(options: list[Any]) -> Callable[[F], F]:
    """Apply several click options (in their order) as one decorator."""

    def decorate(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


# --- what an error means for the user ------------------------------------------------------


def seconds(value: float) -> str:
    """A duration for a message: ``1 s``, ``0.6 s``, ``0.05 s``, ``3600 s`` (never ``0.999604``)."""
    rounded = round(value, 2) if value < 1 else round(value, 1)
    return f"{rounded:.0f} s" if rounded >= 1e5 else f"{rounded:g} s"


def _short_transport(text: str) -> str:
    """urllib3's ``HTTPConnectionPool(...): Max retries ... [Errno 111] Connection refused``
    as just its reason."""
    reason = re.search(r"\[Errno -?\d+\] ([^\"')]+)", text)
    start = min(
        (
            i
            for i in (text.find("HTTPConnectionPool("), text.find("HTTPSConnectionPool("))
            if i >= 0
        ),
        default=-1,
    )
    if reason is None or start < 0:
        return text
    return text[:start] + reason.group(1).strip()


# The workflows name a timeout of a download or an upload only in the text
# ("cannot fetch URL: ReadTimeout"): requests' ConnectTimeout, ReadTimeout, Timeout.
_TIMEOUT_NAME = re.compile(r"\b(?:Connect|Read)?Timeout\b")


def _is_timeout(exc: BaseException) -> bool:
    from ..core.errors import OutcomeUnknownError, TransportTimeout

    if isinstance(exc, TransportTimeout) or type(exc).__name__ == "WaitTimeout":
        return True
    if isinstance(exc, OutcomeUnknownError):
        return isinstance(exc.cause, TransportTimeout)
    if type(exc).__name__ in ("DownloadError", "UploadError"):
        return _TIMEOUT_NAME.search(str(exc)) is not None
    return False


def _wait_timeout_text(exc: BaseException) -> str:
    """A :class:`WaitTimeout` from its attributes, its time rounded."""
    ticket = getattr(exc, "ticket", None)
    last = getattr(exc, "last_status", None)
    allowed = seconds(float(getattr(exc, "timeout", 0.0) or 0.0))
    if ticket is None:  # a batch: its own text, which names the time it was given
        return str(exc)
    shown = getattr(last, "label", None) or (
        f"status {last}" if last is not None else "no answer yet"
    )
    error = getattr(exc, "last_error", None)
    reason = f" (last error: {type(error).__name__})" if error is not None else ""
    return (
        f"image {ticket} did not reach a final status within {allowed}: last status {shown}{reason}"
    )


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and the user's one-line message of an exception, with what to do.

    The texts are for users: a rule's provenance (``InvalidParameterError.source``)
    stays on the exception and is not shown.
    """
    from ..core.errors import (
        InvalidParameterError,
        OutcomeUnknownError,
        RemoveTheBackgroundError,
        ServiceFault,
        TransportError,
    )

    name = type(exc).__name__
    if isinstance(exc, CliError):
        return exc.code, str(exc)
    if name == "WaitTimeout":
        return EXIT["timeout"], (
            f"{_wait_timeout_text(exc)} (wait longer with --timeout, or check later with "
            "rtb status)"
        )
    if isinstance(exc, InvalidParameterError):
        text = getattr(exc, "user_message", None) or str(exc)
        if getattr(exc, "parameter", None) == "binding":
            return EXIT["usage"], f"{text} (on the command line: --binding soap11)"
        return EXIT["usage"], text
    if isinstance(exc, ServiceFault):
        hint = ""
        if name == "AuthenticationError":
            hint = " (check RTB_EMAIL / RTB_API_KEY or `rtb config show`)"
        return EXIT["fault"], f"the service answered with a fault: {exc}{hint}"
    if isinstance(exc, OutcomeUnknownError):
        code = EXIT["timeout"] if _is_timeout(exc) else EXIT["transport"]
        return code, f"{exc} (see `rtb status` or `rtb images` before you submit it again)"
    if _is_timeout(exc) and isinstance(exc, TransportError):
        return EXIT["timeout"], f"{exc} (try again, or raise --http-timeout)"
    if isinstance(exc, TransportError):
        return EXIT[
            "transport"
        ], f"{_short_transport(str(exc))} (check the endpoint with `rtb config show`)"
    if _is_timeout(exc):
        return EXIT["timeout"], f"{exc} (try again later)"
    if isinstance(exc, RemoveTheBackgroundError):
        return EXIT["failed"], f"{exc}"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return EXIT["failed"], f"{exc.strerror or exc}{where}"
    return EXIT["failed"], f"unexpected {name}: {exc}"


def per_ticket(exc: BaseException) -> bool:
    """Whether ``exc`` concerns one image only, so a command of several tickets reports it
    on that ticket's row and goes on with the others.

    A fault about the image (not found, wrong state, a server fault for that call), a
    wait that ran out, a download that failed: yes. Wrong credentials, an endpoint that
    does not answer, a usage error: no, they would fail every ticket alike.
    """
    from ..core.errors import AuthenticationError, ServiceFault, TransportError

    if isinstance(exc, AuthenticationError):
        return False
    if isinstance(exc, ServiceFault):
        return True
    if isinstance(exc, TransportError):
        return False
    return type(exc).__name__ in ("WaitTimeout", "DownloadError")


def exit_code_of(codes: Iterable[int]) -> int:
    """The exit code of a command whose tickets failed with ``codes``: the highest
    (5 timeout > 4 transport > 3 fault > 2 usage > 1 failed); 0 when none failed."""
    return max(codes, default=EXIT["ok"])
