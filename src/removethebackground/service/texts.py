"""The texts ASMX answers with: the ``Res`` strings of ``System.Web.Services.txt``.

Formatted as ``String.Format`` formats them (:func:`res`), with the newline of the
stack the sandbox stands for (the recorded one).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "COLLECTION_COUNT_EXCEEDED",
    "MAX_HTTP_COLLECTION_KEYS",
    "MAX_REQUEST_LENGTH",
    "NEWLINE",
    "NULL_REFERENCE",
    "READ_ERROR",
    "RES",
    "argument_message",
    "res",
]

#: ``Environment.NewLine`` of the stack the sandbox stands for (the recorded one).
NEWLINE = "\n"

#: The strings of ``System.Web.Services.txt`` (the ``Res`` table) the rules use.
RES: Mapping[str, str] = MappingProxyType(
    {
        "WebHttpHeader": "Server did not recognize the value of HTTP Header {0}: {1}.",
        "UnableToHandleRequestActionRequired0": (
            "Unable to handle request without a valid action parameter. "
            "Please supply a valid soap action."
        ),
        "UnableToHandleRequestActionNotRecognized1": (
            "Unable to handle request. The action '{0}' was not recognized."
        ),
        "WebInvalidEnvelopeNamespace": (
            "Possible SOAP version mismatch: Envelope namespace {0} was unexpected. Expecting {1}."
        ),
        "WebRequestUnableToRead": "Server was unable to read request.",
        "WebRequestUnableToProcess": "Server was unable to process request.",
        "WebConfigExtensionError": (
            "There was an exception running the extensions specified in the config file."
        ),
        "WebMissingEnvelopeElement": (
            "Request format is invalid: Missing required soap:Envelope element."
        ),
        "WebMissingBodyElement": "Request format is invalid: Missing required soap:Body element.",
        "WebCannotUnderstandHeader": "SOAP header {0} was not understood.",
        "WebInvalidMethodName": "{0} Web Service method name is not valid.",
        "WebInvalidMethodNameCase": (
            "Invalid method name '{0}',  method names are case sensitive.   "
            "The method name '{1}' with the same name but different casing was found."
        ),
        "WebInvalidRequestFormatDetails": "Request format is invalid: {0}.",
        "WebMissingParameter": "Missing parameter: {0}.",
        "WebUnrecognizedRequestFormat": "Request format is unrecognized.",
        "WebUnrecognizedRequestFormatUrl": (
            "Request format is unrecognized for URL unexpectedly ending in '{0}'."
        ),
    }
)

#: ``SR.Max_request_length_exceeded`` (``System.Web``): the ``HttpException`` that
#: ``HttpRequest.GetEntireRawContent`` throws for a body beyond ``maxRequestLength``.
#: (Mono's own ``System.Web``, under the recorded XSP, words it "Upload size exceeds
#: httpRuntime limit."; the rules follow the .NET Framework's ``System.Web`` throughout.)
MAX_REQUEST_LENGTH = "Maximum request length exceeded."

#: ``aspnet:MaxHttpCollectionKeys``: the most keys ``HttpValueCollection`` takes into one
#: query string or form (``AppSettings.MaxHttpCollectionKeys``, 1000 by default).
MAX_HTTP_COLLECTION_KEYS = 1000

#: ``SR.CollectionCountExceeded_HttpValueCollection`` (``System.Web``), formatted with
#: :data:`MAX_HTTP_COLLECTION_KEYS`: the ``InvalidOperationException`` of
#: ``HttpValueCollection.ThrowIfMaxHttpCollectionKeysExceeded``.
COLLECTION_COUNT_EXCEEDED = (
    "The maximum number of form, query string, or posted file items has already been read "
    "from the request. To change the maximum allowed request collection count from its "
    f'current value of {MAX_HTTP_COLLECTION_KEYS}, change the "aspnet:MaxHttpCollectionKeys" '
    "setting. See http://go.microsoft.com/fwlink/?LinkId=238386 for more information."
)

#: ``NullReferenceException``'s message (mscorlib).
NULL_REFERENCE = "Object reference not set to an instance of an object."

#: ``WebRequestUnableToRead`` with the arrow ASMX puts before the inner exception's text.
READ_ERROR = "Server was unable to read request. ---> "


def res(key: str, *args: object) -> str:
    """``Res.GetString(key, args)``: the string of :data:`RES`, formatted."""
    return RES[key].format(*args)


def argument_message(message: str, param: str) -> str:
    """``ArgumentException(message, param).Message`` as .NET Framework writes it."""
    return f"{message}{NEWLINE}Parameter name: {param}"
