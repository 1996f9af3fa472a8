"""The texts ASMX answers with: the ``Res`` strings of ``System.Web.Services.txt``.

Formatted as ``String.Format`` formats them (:func:`res`), with the newline of the
stack the sandbox stands for (the recorded one).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["NEWLINE", "READ_ERROR", "RES", "argument_message", "res"]

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

#: ``WebRequestUnableToRead`` with the arrow ASMX puts before the inner exception's text.
READ_ERROR = "Server was unable to read request. ---> "


def res(key: str, *args: object) -> str:
    """``Res.GetString(key, args)``: the string of :data:`RES`, formatted."""
    return RES[key].format(*args)


def argument_message(message: str, param: str) -> str:
    """``ArgumentException(message, param).Message`` as .NET Framework writes it."""
    return f"{message}{NEWLINE}Parameter name: {param}"
