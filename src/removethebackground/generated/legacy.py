# Generated from wsdl/legacy/removethebackground.wsdl by codegen; do not edit.
# WSDL sha256: 647ad7855877541345d401af30dfc425d8aa3510a008b556b273a0a2049780df
# With the reviewed overlay codegen/overlays/legacy.toml (values the WSDL cannot say).
# Regenerate with `make codegen`; `make codegen-check` fails when stale.
"""Typed client for the ``soap`` service of ``wsdl/legacy/removethebackground.wsdl``.

Every schema type is a dataclass; every operation is a method of
:class:`RemoveTheBackgroundClient` and, awaited, of :class:`AsyncRemoveTheBackgroundClient`
(asyncio); the ``OP_*`` constants and ``SERVICE`` are the wire facts the runtime
and the sandbox read and write XML from.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from removethebackground.core.asyncclient import AsyncServiceClient
from removethebackground.core.client import ServiceClient
from removethebackground.core.wire import (
    Binding,
    Constraint,
    Field,
    HttpParam,
    Operation,
    Service,
    TypeSpec,
    WireModel,
)

__all__ = [
    "AsyncRemoveTheBackgroundClient",
    "ImageStatus",
    "ImageStatusResponse",
    "OP_GET_IMAGE_STATUS",
    "RemoveTheBackgroundClient",
    "SERVICE",
]

NS = "http://removethebackground.com/"


@dataclass(kw_only=True, slots=True)
class ImageStatus(WireModel):
    """Schema type ``imageStatus``.

    - ``image_ticket``: element ``imageTicket`` (guid) [1..1]
    - ``status_name``: element ``statusName`` (string) [0..1]
    - ``status_id``: element ``statusId`` (int) [1..1]
    - ``final_image_url``: element ``finalImageURL`` (string) [0..1]
    """

    image_ticket: uuid.UUID
    status_name: str | None = None
    status_id: int
    final_image_url: str | None = None


@dataclass(kw_only=True, slots=True)
class ImageStatusResponse(WireModel):
    """Schema type ``imageStatusResponse``.

    - ``image_status``: element ``imageStatus`` (imageStatus) [0..1]
    """

    image_status: ImageStatus | None = None


# Wire facts: element names, order, XSD types and occurrence of every type.

ImageStatus.__wire__ = TypeSpec(
    "imageStatus",
    NS,
    (
        Field("image_ticket", "imageTicket", NS, xsd="guid", min_occurs=1, type_name="guid"),
        Field("status_name", "statusName", NS, xsd="string", type_name="string"),
        Field("status_id", "statusId", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("final_image_url", "finalImageURL", NS, xsd="string", type_name="string"),
    ),
)

ImageStatusResponse.__wire__ = TypeSpec(
    "imageStatusResponse",
    NS,
    (Field("image_status", "imageStatus", NS, model=ImageStatus, type_name="imageStatus"),),
)

OP_GET_IMAGE_STATUS: Operation[ImageStatusResponse] = Operation(
    name="getImageStatus",
    python_name="get_image_status",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/getImageStatus",
        Binding.SOAP12: "http://removethebackground.com/getImageStatus",
    },
    request_element="getImageStatus",
    params=(
        Field("contact_email", "ContactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "ContactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "image_ticket",
            "ImageTicket",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "guid",
                source="help page: ImageTicket is the image's ticket (a GUID in the result); recorded traffic: 14-soap11-client-fault-bad-guid",
            ),
        ),
    ),
    credential_params=("ContactEmail", "ContactAPIkey"),
    response_element="getImageStatusResponse",
    result=Field(
        "get_image_status_result",
        "getImageStatusResult",
        NS,
        model=ImageStatusResponse,
        type_name="imageStatusResponse",
    ),
    result_model=ImageStatusResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/getImageStatus",
    http_params=(
        HttpParam("ContactEmail", "contact_email"),
        HttpParam("ContactAPIkey", "contact_api_key"),
        HttpParam("ImageTicket", "image_ticket"),
    ),
    http_result_element="imageStatusResponse",
    changes_state=False,
)

SERVICE = Service(
    name="soap",
    namespace=NS,
    wsdl_resource="wsdl/legacy/removethebackground.wsdl",
    default_endpoints={
        Binding.SOAP11: "https://api.removethebackground.com/soap.asmx",
        Binding.SOAP12: "https://api.removethebackground.com/soap.asmx",
        Binding.HTTP_GET: "https://api.removethebackground.com/soap.asmx",
        Binding.HTTP_POST: "https://api.removethebackground.com/soap.asmx",
    },
    operations={"getImageStatus": OP_GET_IMAGE_STATUS},
    models=(
        ImageStatus,
        ImageStatusResponse,
    ),
)


class RemoveTheBackgroundClient(ServiceClient):
    """Client of ``soap`` (http://removethebackground.com/), from ``wsdl/legacy/removethebackground.wsdl``.

    Construction and bindings are described on :class:`ServiceClient`.
    """

    SERVICE = SERVICE

    def get_image_status(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
    ) -> ImageStatusResponse:
        """Call ``getImageStatus``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/getImageStatus``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/getImageStatus``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/getImageStatus``; answer root ``imageStatusResponse``.
        Returns the ``getImageStatusResult`` element as :class:`ImageStatusResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``ImageTicket`` (string) [0..1]; GUID (source: help page: ImageTicket is the image's ticket (a GUID in the result); recorded traffic: 14-soap11-client-fault-bad-guid)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(OP_GET_IMAGE_STATUS, {"image_ticket": image_ticket})


class AsyncRemoveTheBackgroundClient(AsyncServiceClient):
    """Async client (asyncio) of ``soap`` (http://removethebackground.com/), from ``wsdl/legacy/removethebackground.wsdl``.

    The methods of :class:`RemoveTheBackgroundClient`, as coroutines: the same names,
    parameters, value rules, results and errors. Construction is described on
    :class:`AsyncServiceClient`; close it with ``async with`` or ``await close()``.
    """

    SERVICE = SERVICE

    async def get_image_status(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
    ) -> ImageStatusResponse:
        """Call ``getImageStatus``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/getImageStatus``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/getImageStatus``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/getImageStatus``; answer root ``imageStatusResponse``.
        Returns the ``getImageStatusResult`` element as :class:`ImageStatusResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``ImageTicket`` (string) [0..1]; GUID (source: help page: ImageTicket is the image's ticket (a GUID in the result); recorded traffic: 14-soap11-client-fault-bad-guid)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(OP_GET_IMAGE_STATUS, {"image_ticket": image_ticket})
