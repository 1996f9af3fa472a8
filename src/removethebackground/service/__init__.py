"""The ASMX service side: which binding and operation a request is for, and the answers.

Used by the sandbox (:mod:`removethebackground.sandbox`) and the stubber
(:mod:`removethebackground.testing.stub`); never imported by the client core, the
plugins or the workflows (``make contracts`` checks it). Split by concern:

- :mod:`.routing`: content types, the SOAP version and action, the HTTP routes
  (choosing the operation, or refusing the request), rule for rule as ASP.NET's
  ``System.Web.Services`` does it (rules 1-12 below);
- :mod:`.requests`: reading request envelopes and forms into values;
- :mod:`.answers`: rendering results, faults, refusals and error pages;
- :mod:`.engines`: the service halves of the four binding engines (reading
  parameters and writing answers and faults is each binding's own work), over the
  wire facts of their client halves (:mod:`removethebackground.bindings`);
- :mod:`.wsdl`: serving the vendored WSDL;
- :mod:`.errors` and :mod:`.texts`: the refusals and ASMX's texts.

Everything here is driven by the generated wire facts (``Operation.params``,
``Operation.result``, ``http_params``, ``http_result_element``, ``soap_actions``
and each result type's ``TypeSpec``) through :mod:`removethebackground.core.codec`, the
same code the client uses to write requests and read answers. No operation has
hand-written XML: a change to a WSDL (after ``make codegen``) changes the client
and the sandbox together.

Recorded (``asmx-traffic/``) and reproduced byte for byte:

- SOAP answers: one line, ``<?xml version="1.0" encoding="utf-8"?>`` then the
  envelope declaring ``soap``, ``xsi`` and ``xsd`` in that order; empty elements as
  ``<X />``; the Content-Type of the request's SOAP version.
- HTTP GET/POST answers: the bare result element (``http_result_element``)
  declaring ``xsd``, ``xsi`` and the default namespace, indented by two spaces.
- Faults: HTTP 500; SOAP 1.1 ``faultcode``/``faultstring``/``<detail />``;
  SOAP 1.2 ``Code/Value``, ``Reason/Text xml:lang="en"``, ``<soap:Detail />``.
- HTTP GET/POST errors: 500 ``text/plain; charset=utf-8``, the message
  HTML-encoded (``'`` as ``&#39;``) and followed by a newline.

Routing and refusals (not in the recordings) follow the .NET Framework reference
source of ``System.Web.Services`` (the files under
``mcs/class/referencesource/System.Web.Services/`` in Mono 6.8 are the same). Each
rule below names the file and method it comes from; the texts are the ``Res``
strings of ``System.Web.Services.txt`` (:data:`RES`), formatted as ``String.Format``
formats them (:mod:`.texts`). The sandbox is the service configured as the production WSDL shows
it: protocols ``HttpSoap``, ``HttpSoap12``, ``HttpGet``, ``HttpPost`` and
``Documentation`` enabled, for every caller (ASP.NET 1.1+ leaves HTTP GET/POST off,
or HTTP POST for ``localhost`` only, unless ``web.config`` enables them, and the
WSDL's HTTP bindings exist only when they are), routing style ``SoapAction``
(the default of ``SoapDocumentServiceAttribute.RoutingStyle``), custom errors on
(messages without stack traces, as recorded) and ``Environment.NewLine`` = ``"\\n"``
(as the recorded stack writes it).

SOAP (``SoapServerProtocol.cs``, ``Soap11ServerProtocol.cs``, ``Soap12ServerProtocol.cs``):

1. ``SoapServerProtocol.GuessVersion``: a request without a ``SOAPAction`` header,
   or whose Content-Type is ``application/soap+xml``, is routed as SOAP 1.2; one
   with the header (any other Content-Type) as SOAP 1.1.
2. ``Soap11ServerProtocolHelper.RouteRequest``: SOAP 1.1 routes on the
   ``SOAPAction`` header alone (quotes stripped when it both starts and ends with
   one, then URL-decoded); the body is not looked at. An unknown (or empty) action:
   ``soap:Client`` "Server did not recognize the value of HTTP Header SOAPAction: X."
3. ``Soap12ServerProtocolHelper.RouteRequest``: SOAP 1.2 routes on the
   ``action=`` parameter of the Content-Type, else on the body's first element
   (``SoapServerProtocolHelper.GetRequestElement``). Neither known: "Unable to
   handle request without a valid action parameter. Please supply a valid soap
   action." (no action) or "Unable to handle request. The action 'X' was not
   recognized." (``Sender``, answered in the envelope's version). A known action
   wins over the body element: an action naming another operation than the body
   calls *that* operation (rule 8).
4. ``SoapServerProtocol.Initialize`` (its catch) and ``CheckHelperVersion``: when
   routing read the envelope and failed, an envelope in an unknown namespace is a
   ``VersionMismatch`` fault instead; a body that is not XML (an empty one: "Root
   element is missing.") or an envelope without ``Body`` is a ``soap:Server`` fault
   "Server was unable to process request. ---> <message>"
   (``ServerProtocolFactory.Create`` hands Initialize's exception to
   ``SoapServerProtocol.WriteException``, which makes every exception but a
   ``SoapException`` a Server fault). Only a request the headers route reaches rules
   5 and 7 (400 with no body; the ``Client`` fault "Server was unable to read request.
   ---> ...").
5. ``SoapServerProtocol.ReadParameters``, once routed: a Content-Type that is
   neither ``text/xml`` nor ``application/soap+xml`` is 415 with an empty body
   (``SetResponseErrorCode``; ``WriteFault`` writes nothing but for 500); a body
   that is not XML is 400 with an empty body (a ``Client`` fault caused by an
   ``XmlException``).
6. The SOAP version of the answer is the envelope's namespace
   (``SoapServerProtocolHelper.GetHelper``), whatever the Content-Type said; an
   unknown namespace is a SOAP 1.1 ``VersionMismatch`` fault "Possible SOAP version
   mismatch: Envelope namespace X was unexpected. Expecting
   http://schemas.xmlsoap.org/soap/envelope/." carrying the SOAP 1.2 ``Upgrade``
   header that lists both supported envelopes (``WriteException``,
   ``CreateUpgradeHeader``). A SOAP 1.1 envelope sent as ``application/soap+xml`` is
   415; a SOAP 1.2 envelope sent as ``text/xml`` is answered in SOAP 1.2.
7. ``ReadParameters``: a root that is not ``Envelope``, or an envelope without a
   ``Body`` after its optional ``Header``: ``Client`` "Server was unable to read
   request. ---> Request format is invalid: Missing required soap:Envelope
   element." (or ``soap:Body``).
8. ``XmlSerializer`` (called by ``ReadParameters``) reads the routed operation's
   wrapper element among the Body's children and skips anything else: an empty
   Body, or a body element of another operation, calls the routed operation with
   every parameter at its default (``null``, ``0``, ``false``, ``Guid.Empty``), as
   does a missing value-type parameter. The answer is that operation's.
9. ``SoapServerProtocol.WriteReturns`` / ``SoapHeaderHandling.EnsureHeadersUnderstood``:
   a header block with ``mustUnderstand`` set that the service does not know is
   refused *after* the operation ran (its effects stay): ``MustUnderstand`` "SOAP
   header X was not understood.", without ``detail`` (a ``SoapHeaderException``).

HTTP (``WebServiceHandlerFactory.CoreGetHandler`` over the protocol factories in
``WebServicesSection.ServerProtocolFactories`` order: SOAP, HTTP POST, HTTP POST
localhost, HTTP GET, discovery, documentation; each ``CreateIfRequestCompatible``):

10. ``<path>`` itself takes ``POST`` (SOAP) and ``GET`` (``?WSDL``, else the service
    page); any other method, ``HEAD`` included, is 405 (``UnsupportedRequestProtocol``),
    an ASP.NET error page (``text/html``) "Request format is unrecognized."
11. ``<path>/<name>`` takes ``GET`` (HTTP GET) and ``POST`` (HTTP POST); any other
    method, ``HEAD`` included, and ``<path>/`` (a path info shorter than two
    characters), is a 500 ASP.NET error page "Request format is unrecognized for URL
    unexpectedly ending in '/<name>'."
12. ``HttpServerProtocol.Initialize``: method names are case-sensitive. A name that
    matches one only ignoring case: "Invalid method name 'x',  method names are case
    sensitive.   The method name 'X' with the same name but different casing was
    found." (an ``ArgumentException``: "\\nParameter name: methodName" follows); no
    match, or an operation the HTTP bindings do not offer (``HttpServerType``: not
    all parameters primitive): "X Web Service method name is not valid." Both 500
    ``text/plain`` (``HttpServerProtocol.WriteException``).
13. ``HttpServerProtocol.ReadParameters`` / ``HtmlFormParameterReader.Read``: an HTTP
    POST whose Content-Type is not ``application/x-www-form-urlencoded``: "Request
    format is invalid: <Content-Type>." (500 ``text/plain``; never 415); HTTP GET
    reads the query whatever the Content-Type. An operation without parameters
    reads nothing.
14. ``ValueCollectionParameterReader.Read``: a missing scalar: "Missing parameter:
    name."; a missing array: "Object reference not set to an instance of an
    object." (the reader dereferences the key's null value list). Keys match
    case-insensitively (``NameValueCollection``); a repeated scalar key reads as its
    values joined by ``,``. A value that does not convert: ``ScalarFormatter.FromString``'s
    "Cannot convert abc to System.Int32." with its ``ArgumentException``'s parameter
    line and the inner message.

Before any of this (``System.Web``, not ``System.Web.Services``):

15. ``HttpRequest.GetEntireRawContent``: a request body beyond ``maxRequestLength``
    (4 MB by default, the sandbox's ``max_request_bytes``) throws the ``HttpException``
    "Maximum request length exceeded." where the body is first read, and the handler
    that reads it answers (``refuse_oversized_soap_request``):

    - SOAP: ``SoapServerProtocol.Initialize`` reads ``Request.InputStream`` among its
      SOAP extensions' set-up, so it is their exception: once routed (rules 1-3 on the
      headers alone; a routing failure is answered first), a ``Server`` fault "There
      was an exception running the extensions specified in the config file. --->
      Maximum request length exceeded." in the guessed version. Routing by element
      finds no stream to read: "Server was unable to process request. ---> Object
      reference not set to an instance of an object."
    - HTTP POST: ``HtmlFormParameterReader.Read`` reads ``Request.Form`` (after its
      Content-Type check, rule 13), and ``HttpServerProtocol.WriteException`` answers
      the 500 ``text/plain`` "Maximum request length exceeded."; an operation without
      parameters reads nothing and runs. HTTP GET never reads the body.
"""

from __future__ import annotations

from .answers import (
    HTML_CONTENT_TYPE,
    render_error_page,
    render_http_result,
    render_soap_fault,
    render_soap_refusal,
    render_soap_result,
    render_text_error,
    upgrade_header,
)
from .engines import (
    ENGINES,
    ENVELOPE_NS,
    HTTP_BY_METHOD,
    HTTP_CONTENT_TYPE,
    HTTP_ENGINES,
    PLAIN_CONTENT_TYPE,
    SOAP_CONTENT_TYPES,
    SOAP_ENGINES,
    XML_DECLARATION,
    html_encode,
)
from .errors import EmptyAnswer, FaultCode, RequestError, SoapRefusal, UnhandledError
from .requests import parse_http_request, parse_soap_request, read_envelope
from .routing import (
    UNDERSTOOD_HEADERS,
    HttpRoute,
    SoapRoute,
    check_http_content_type,
    refuse_oversized_soap_request,
    route_http,
    route_soap,
    route_soap_request,
    soap_action_of,
    soap_binding_of,
    soap_version_of,
    unrecognized_http_operation,
)
from .texts import MAX_REQUEST_LENGTH, RES, res
from .wsdl import vendored_wsdl, wsdl_for

__all__ = [
    "ENGINES",
    "ENVELOPE_NS",
    "HTML_CONTENT_TYPE",
    "HTTP_BY_METHOD",
    "HTTP_CONTENT_TYPE",
    "HTTP_ENGINES",
    "MAX_REQUEST_LENGTH",
    "PLAIN_CONTENT_TYPE",
    "RES",
    "SOAP_CONTENT_TYPES",
    "SOAP_ENGINES",
    "UNDERSTOOD_HEADERS",
    "XML_DECLARATION",
    "EmptyAnswer",
    "FaultCode",
    "HttpRoute",
    "RequestError",
    "SoapRefusal",
    "SoapRoute",
    "UnhandledError",
    "check_http_content_type",
    "html_encode",
    "parse_http_request",
    "parse_soap_request",
    "read_envelope",
    "refuse_oversized_soap_request",
    "render_error_page",
    "render_http_result",
    "render_soap_fault",
    "render_soap_refusal",
    "render_soap_result",
    "render_text_error",
    "res",
    "route_http",
    "route_soap",
    "route_soap_request",
    "soap_action_of",
    "soap_binding_of",
    "soap_version_of",
    "unrecognized_http_operation",
    "upgrade_header",
    "vendored_wsdl",
    "wsdl_for",
]
