"""Turn the service's XML names into Python names.

The WSDLs mix conventions: ``getImageStatus`` (generation 1), ``GetImageStatus``
(generation 2), ``contactAPIkey``, ``additionalResourceFileURLs``, ``imageURL2``.
Python names are snake_case for operations, parameters and attributes and
PascalCase for classes. A few acronyms are known words so that ``APIkey`` becomes
``api_key`` rather than ``ap_ikey``.
"""

from __future__ import annotations

import keyword
import re

# Known acronyms, longest first; an acronym may carry a plural "s" (``URLs``).
_ACRONYMS = ("API", "URL", "UTC", "GUID", "ID")
_TOKEN = re.compile(
    r"(?:" + "|".join(_ACRONYMS) + r")s(?![a-z])"  # URLs, IDs
    r"|(?:" + "|".join(_ACRONYMS) + r")"  # API in APIkey, URL in imageURL2
    r"|[A-Z]+(?=[A-Z][a-z]|\d|$)"  # other upper-case runs
    r"|[A-Z]?[a-z]+"  # words
    r"|\d+"
)


def words(name: str) -> list[str]:
    """Split an XML name into lower-case words; digits stick to the word before."""
    # XML names may also separate words with "_", "-" or "." (``IV_REQUESTER``,
    # ``Activity_description``): those split words too.
    tokens: list[str] = []
    for part in re.split(r"[_.\-]+", name):
        found = _TOKEN.findall(part)
        if "".join(found) != part:
            raise ValueError(f"cannot split XML name {name!r} into words")
        tokens += found
    if not tokens:
        raise ValueError(f"cannot split XML name {name!r} into words")
    out: list[str] = []
    for tok in tokens:
        if tok.isdigit() and out:
            out[-1] += tok
        else:
            out.append(tok.lower())
    return out


def snake(name: str) -> str:
    """``getImageStatus`` and ``GetImageStatus`` -> ``get_image_status``."""
    result = "_".join(words(name))
    if keyword.iskeyword(result) or result in {"self", "cls"}:
        result += "_"
    return result


def pascal(name: str) -> str:
    """``imageStatusResponse`` -> ``ImageStatusResponse``; PascalCase names stay.

    A name with ``-`` or ``.`` (not a Python identifier) joins its words instead:
    ``order-line`` -> ``OrderLine``.
    """
    if "-" in name or "." in name:
        return "".join(w[:1].upper() + w[1:] for w in words(name))
    return name[:1].upper() + name[1:]
