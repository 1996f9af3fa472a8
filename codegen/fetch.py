"""Read a candidate WSDL from a file or, when asked, from the service's ``?WSDL``.

A WSDL that will be vendored is untrusted input. Whatever its origin it must:

- be at most :data:`MAX_BYTES` long (a remote answer is cut off while it streams);
- be well-formed XML without a DTD or entity declarations (it is parsed with
  :func:`removethebackground.core.codec.safe_fromstring`, the parser the client uses
  for service answers);
- have ``wsdl:definitions`` as its root;
- load nothing else: a ``wsdl:import`` with a ``location`` or an
  ``xsd:import``/``include``/``redefine``/``override`` with a ``schemaLocation`` is
  refused. Remote ones would make codegen go to the network; local ones would not
  survive vendoring, which copies one file. Namespace-only imports stay allowed:
  ASMX WSDLs import the SOAP-encoding namespace that way, and codegen serves it
  from ``codegen/schemas/``.

Fetching is plain ``requests`` with a finite timeout, no redirects, no proxies or
``.netrc`` from the environment (``trust_env=False``) and an overall deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from lxml import etree

from removethebackground.core.codec import safe_fromstring
from removethebackground.core.errors import MalformedResponseError

from .model import CodegenError

MAX_BYTES = 4 * 1024 * 1024  # the Pixelz WSDL is ~95 kB; ASMX WSDLs stay well below this
TIMEOUT = (5.0, 30.0)  # connect, read (per chunk)
DEADLINE = 60.0  # seconds for the whole answer
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"


class WsdlSourceError(CodegenError):
    """The WSDL could not be read or fetched, or is refused."""


@dataclass(frozen=True)
class WsdlSource:
    data: bytes
    origin: str  # the URL fetched, or the file's path
    remote: bool


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def wsdl_url(url: str) -> str:
    """``http://host/soap.asmx`` -> ``http://host/soap.asmx?WSDL``; a URL that already
    asks for the WSDL (``?wsdl``, any case) stays as it is."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise WsdlSourceError(f"{url!r} is not an http(s) URL")
    keys = [p.split("=", 1)[0].lower() for p in parts.query.split("&") if p]
    if "wsdl" in keys:
        return url
    query = f"{parts.query}&WSDL" if parts.query else "WSDL"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def fetch_wsdl(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: tuple[float, float] = TIMEOUT,
    deadline: float = DEADLINE,
) -> WsdlSource:
    """GET the service's ``?WSDL``, bounded in size and time, and check it."""
    target = wsdl_url(url)
    session = requests.Session()
    session.trust_env = False  # no proxies, no .netrc credentials from the environment
    started = time.monotonic()
    chunks: list[bytes] = []
    try:
        with session.get(
            target,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
            # identity: no compressed answer to inflate past the size cap
            headers={"Accept": "text/xml, application/xml", "Accept-Encoding": "identity"},
        ) as response:
            if response.is_redirect:
                raise WsdlSourceError(
                    f"{target} redirects to {response.headers.get('Location')!r}; "
                    "give that address instead (redirects are not followed)"
                )
            if response.status_code != 200:
                raise WsdlSourceError(f"{target} answered HTTP {response.status_code}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise WsdlSourceError(
                    f"{target} announces {declared} bytes, more than the {max_bytes}-byte cap"
                )
            size = 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    raise WsdlSourceError(f"{target} sent more than {max_bytes} bytes; refused")
                if time.monotonic() - started > deadline:
                    raise WsdlSourceError(f"{target} took more than {deadline:g} s; gave up")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise WsdlSourceError(f"could not fetch {target}: {type(exc).__name__}") from None
    finally:
        session.close()
    data = b"".join(chunks)
    check_wsdl(data, target, remote=True)
    return WsdlSource(data, target, remote=True)


def read_wsdl_file(path: Path, *, max_bytes: int = MAX_BYTES) -> WsdlSource:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise WsdlSourceError(f"{path} has {size} bytes, more than the {max_bytes}-byte cap")
        data = path.read_bytes()
    except OSError as exc:
        raise WsdlSourceError(f"cannot read {path}: {exc.strerror}") from None
    check_wsdl(data, str(path), remote=False)
    return WsdlSource(data, str(path), remote=False)


def read_source(source: str, *, max_bytes: int = MAX_BYTES) -> WsdlSource:
    """A file path, or an http(s) URL (then its ``?WSDL`` is fetched)."""
    if is_url(source):
        return fetch_wsdl(source, max_bytes=max_bytes)
    return read_wsdl_file(Path(source), max_bytes=max_bytes)


def check_wsdl(data: bytes, origin: str, *, remote: bool) -> etree._Element:
    """Parse safely and refuse anything that would load another document."""
    try:
        root = safe_fromstring(data, what=f"WSDL from {origin}")
    except MalformedResponseError as exc:
        raise WsdlSourceError(str(exc)) from None
    if root.tag != f"{{{WSDL_NS}}}definitions":
        raise WsdlSourceError(f"{origin} is not a WSDL 1.1 document (root {root.tag})")
    located = [
        (el, el.get("location"))
        for el in root.iter(f"{{{WSDL_NS}}}import")
        if el.get("location") is not None
    ]
    for tag in ("import", "include", "redefine", "override"):
        located += [
            (el, el.get("schemaLocation"))
            for el in root.iter(f"{{{XSD_NS}}}{tag}")
            if el.get("schemaLocation") is not None
        ]
    for el, location in located:
        what = etree.QName(el).localname
        assert location is not None
        if remote or urlsplit(location).scheme or location.startswith("//"):
            raise WsdlSourceError(
                f"{origin}: <{what}> loads {location!r}; codegen loads nothing remote. "
                "Inline that document into the WSDL, or (for a well-known schema "
                "imported by namespace) add a local copy to codegen/schemas/"
            )
        raise WsdlSourceError(
            f"{origin}: <{what}> loads the local file {location!r}; only one file is "
            "vendored, so inline that document into the WSDL"
        )
    return root
