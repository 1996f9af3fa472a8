"""Codegen's one error type: every refusal and failure on a WSDL is a :class:`CodegenError`."""

from __future__ import annotations

__all__ = ["CodegenError"]


class CodegenError(Exception):
    """The WSDL uses something the generator does not support, or cannot be read.

    The message names the WSDL file, the type or element, the construct and what to do.
    """
