"""The baseline: a minimal, hand-written lxml + requests client for two Pixelz calls.

This is what a careful engineer would write by hand for ``GetImageStatus`` and
``GetImagesList`` over SOAP 1.1 if they did not want a SOAP library: no WSDL, no
schema, no generated code, and nothing slow on the hot path.

- Requests are a prebuilt envelope template: bytes fixed at import time, with only
  the few values escaped and spliced in.
- Answers are parsed with a secure lxml parser (no DTD, no entities, no network,
  DOCTYPE refused), as ``removethebackground.core.codec.safe_fromstring`` does, and read
  with precompiled QNames and XPath.
- One pooled :class:`requests.Session`, as this project's client uses.

It deliberately does no more than that (no response size cap, no streaming, no
schema checks of the answer beyond what it reads, one fault shape), so it is the
fastest honest way to make these calls, and the bar the benchmarks hold the
generated client to. ``tests/bench/test_bench_handwritten.py`` keeps it honest: it must
send XML-equivalent requests and return the same values as ``PixelzClient``.

It depends on nothing of this project, so refactoring the client cannot move the bar.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from lxml import etree
from requests.adapters import HTTPAdapter

__all__ = [
    "HandwrittenFault",
    "HandwrittenPixelz",
    "ImageStatus",
    "ImageStatusResponse",
    "ImagesListResponse",
]

NS = "http://removethebackground.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
ACTION = NS


# --- results (the same fields and Python types as the generated dataclasses) -------------


@dataclass(kw_only=True, slots=True)
class ImageStatus:
    image_ticket: uuid.UUID
    customer_image_id: str | None = None
    product_id: str | None = None
    status_name: str | None = None
    status_id: int
    is_paid: bool
    thumbnail_image_url: str | None = None
    final_images_url: list[str | None] | None = None


@dataclass(kw_only=True, slots=True)
class ImageStatusResponse:
    image_status: ImageStatus | None = None


@dataclass(kw_only=True, slots=True)
class ImagesListResponse:
    images: list[ImageStatus | None] | None = None


class HandwrittenFault(Exception):
    """A SOAP fault or an unusable answer."""


# --- requests: templates ---------------------------------------------------------------------

_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
)
_TAIL = b"</soap:Body></soap:Envelope>"

# Characters XML 1.0 cannot carry at all, and those that must be escaped in text
# ("\r" too: a raw CR would be read back as LF).
_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPECIAL = re.compile("[&<>\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _text(value: str, name: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected str, got {type(value).__name__}")
    if _INVALID.search(value):
        raise ValueError(f"{name}: contains a character XML 1.0 cannot carry")
    if _SPECIAL.search(value):
        value = _SPECIAL.sub(lambda m: _ESCAPES[m.group()], value)
    return value.encode("utf-8")


class _Template:
    """One operation's request: the fixed bytes around each optional element."""

    __slots__ = ("_parts", "_prefix", "_suffix")

    def __init__(self, operation: str, names: tuple[str, ...]) -> None:
        self._prefix = _HEAD + f'<{operation} xmlns="{NS}">'.encode()
        self._suffix = f"</{operation}>".encode() + _TAIL
        self._parts = tuple((n, f"<{n}>".encode(), f"</{n}>".encode()) for n in names)

    def render(self, values: tuple[str | None, ...]) -> bytes:
        out = [self._prefix]
        for (name, open_tag, close_tag), value in zip(self._parts, values, strict=True):
            if value is not None:  # None leaves the element out (minOccurs=0)
                out += (open_tag, _text(value, name), close_tag)
        out.append(self._suffix)
        return b"".join(out)


_STATUS = _Template(
    "GetImageStatus", ("contactEmail", "contactAPIkey", "imageTicket", "customerImageId")
)
_LIST_PARAMS = (
    "imageStatus",
    "excludeImageStatus",
    "productId",
    "fromDate",
    "toDate",
    "page",
    "imagesPerPage",
    "sortBy",
    "isDescending",
)
_LIST = _Template("GetImagesList", ("contactEmail", "contactAPIkey", *_LIST_PARAMS))


# --- answers: a secure parser and precompiled lookups ---------------------------------------

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)
_NSMAP = {"s": SOAP_ENV, "t": NS}
_FAULT = etree.XPath("/s:Envelope/s:Body/s:Fault/faultstring/text()", namespaces=_NSMAP)
_STATUS_RESULT = etree.XPath(
    "/s:Envelope/s:Body/t:GetImageStatusResponse/t:GetImageStatusResult", namespaces=_NSMAP
)
_LIST_RESULT = etree.XPath(
    "/s:Envelope/s:Body/t:GetImagesListResponse/t:GetImagesListResult", namespaces=_NSMAP
)
_Q_IMAGE_STATUS = f"{{{NS}}}ImageStatus"
_Q_IMAGES = f"{{{NS}}}Images"
_Q_STRING = f"{{{NS}}}string"
_Q_TICKET = f"{{{NS}}}ImageTicket"
_Q_STATUS_ID = f"{{{NS}}}StatusId"
_Q_IS_PAID = f"{{{NS}}}IsPaid"
_Q_FINAL = f"{{{NS}}}FinalImagesURL"
_STRING_FIELDS = {
    f"{{{NS}}}CustomerImageId": "customer_image_id",
    f"{{{NS}}}ProductId": "product_id",
    f"{{{NS}}}StatusName": "status_name",
    f"{{{NS}}}ThumbnailImageURL": "thumbnail_image_url",
}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _parse(data: bytes) -> Any:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise HandwrittenFault("the answer declares a DTD")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise HandwrittenFault(f"the answer is not well-formed XML: {exc}") from None
    fault = _FAULT(root)
    if fault:
        raise HandwrittenFault(str(fault[0]))
    return root


def _nil(el: Any) -> bool:
    return el.get(XSI_NIL) in ("true", "1")


def _image_status(el: Any) -> ImageStatus | None:
    if _nil(el):
        return None
    values: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        if tag == _Q_TICKET:
            values["image_ticket"] = uuid.UUID((child.text or "").strip())
        elif tag == _Q_STATUS_ID:
            values["status_id"] = int((child.text or "").strip())
        elif tag == _Q_IS_PAID:
            values["is_paid"] = _BOOLEANS[(child.text or "").strip()]
        elif tag == _Q_FINAL:
            values["final_images_url"] = (
                None
                if _nil(child)
                else [
                    None if _nil(item) else (item.text or "")
                    for item in child.iterchildren(_Q_STRING)
                ]
            )
        else:
            attr = _STRING_FIELDS.get(tag)
            if attr is not None:
                values[attr] = None if _nil(child) else (child.text or "")
    try:
        return ImageStatus(**values)
    except TypeError as exc:
        raise HandwrittenFault(f"ImageStatus lacks a required element: {exc}") from None


def _result(root: Any, path: etree.XPath) -> Any:
    found = path(root)
    if not found or _nil(found[0]):
        raise HandwrittenFault("the answer has no result")
    return found[0]


# --- the client ----------------------------------------------------------------------------------


def _session() -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HandwrittenPixelz:
    """``GetImageStatus`` and ``GetImagesList`` over SOAP 1.1, by hand."""

    def __init__(
        self,
        email: str,
        api_key: str,
        *,
        endpoint: str = "https://api.pixelz.com/soap.asmx",
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._credentials = (email, api_key)
        self._endpoint = endpoint
        self._session = session if session is not None else _session()
        self._timeout = timeout
        self._status_headers = self._headers("GetImageStatus")
        self._list_headers = self._headers("GetImagesList")

    @staticmethod
    def _headers(operation: str) -> dict[str, str]:
        return {
            "User-Agent": "handwritten/1.0",
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{ACTION}{operation}"',
        }

    # Request bodies, exposed so the benchmark can time envelope building alone.

    def get_image_status_envelope(
        self, *, image_ticket: str | None = None, customer_image_id: str | None = None
    ) -> bytes:
        return _STATUS.render((*self._credentials, image_ticket, customer_image_id))

    def get_images_list_envelope(self, **params: str | None) -> bytes:
        unknown = set(params) - set(_LIST_KEYWORDS)
        if unknown:
            raise TypeError(f"unknown parameters: {sorted(unknown)}")
        values = tuple(params.get(keyword) for keyword in _LIST_KEYWORDS)
        return _LIST.render((*self._credentials, *values))

    def _post(self, body: bytes, headers: dict[str, str]) -> bytes:
        response = self._session.post(
            self._endpoint, data=body, headers=headers, timeout=self._timeout
        )
        data = response.content
        if response.status_code not in (200, 500) or not data:
            raise HandwrittenFault(f"HTTP {response.status_code}")
        return data

    def get_image_status(
        self, *, image_ticket: str | None = None, customer_image_id: str | None = None
    ) -> ImageStatusResponse:
        body = self.get_image_status_envelope(
            image_ticket=image_ticket, customer_image_id=customer_image_id
        )
        result = _result(_parse(self._post(body, self._status_headers)), _STATUS_RESULT)
        status = result.find(_Q_IMAGE_STATUS)
        return ImageStatusResponse(image_status=None if status is None else _image_status(status))

    def get_images_list(self, **params: str | None) -> ImagesListResponse:
        body = self.get_images_list_envelope(**params)
        result = _result(_parse(self._post(body, self._list_headers)), _LIST_RESULT)
        images = result.find(_Q_IMAGES)
        if images is None or _nil(images):
            return ImagesListResponse(images=None)
        return ImagesListResponse(
            images=[_image_status(el) for el in images.iterchildren(_Q_IMAGE_STATUS)]
        )


_LIST_KEYWORDS = (
    "image_status",
    "exclude_image_status",
    "product_id",
    "from_date",
    "to_date",
    "page",
    "images_per_page",
    "sort_by",
    "is_descending",
)
