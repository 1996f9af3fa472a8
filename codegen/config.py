"""The generations codegen builds: one entry per vendored WSDL.

Adding a third WSDL is three steps: put it in ``wsdl/<key>/``, add one
:class:`GenerationConfig` to :data:`GENERATIONS`, run ``make codegen``. A WSDL of
another service (no ``contactEmail``/``contactAPIkey`` on every operation, several
services, simple-typed results) takes the same steps with
``options=ANY_SERVICE`` (:class:`codegen.model.BuildOptions`). Codegen
then writes ``src/removethebackground/generated/<key>.py`` and the registry
``generated/__init__.py`` (``GENERATIONS``), which the package ``__init__``, the
sandbox, the testing helpers and the tests loop over.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ANY_SERVICE, ASMX_SERVICE, BuildOptions

__all__ = [
    "ANY_SERVICE",
    "ASMX_SERVICE",
    "GENERATIONS",
    "BuildOptions",
    "GenerationConfig",
    "generation",
]


@dataclass(frozen=True, slots=True)
class GenerationConfig:
    """One generation of the service.

    Attributes:
        key: the module name under ``removethebackground.generated`` and the
            registry key (``"pixelz"``).
        wsdl: the vendored WSDL, relative to the repository root.
        client_class: the name of the generated client class.
        sandbox_path: where the local sandbox serves this generation.
        label: a short human name, for banners and pages.
        overlay: the reviewed overlay of what the service accepts where the WSDL
            says ``string`` (``codegen/overlays/<key>.toml``, see
            :mod:`codegen.overlay`), relative to the repository root; ``None``: none.
        options: the rules the WSDL must follow (:class:`~codegen.model.BuildOptions`):
            ``ASMX_SERVICE`` (the default) for this service's WSDLs, whose every
            operation carries the account's credentials; ``ANY_SERVICE`` for a WSDL of
            another service; or ``BuildOptions(...)`` with the rules in between
            (``service="Name"`` to pick one ``wsdl:service`` of several).
    """

    key: str
    wsdl: str
    client_class: str
    sandbox_path: str
    label: str
    overlay: str | None = None
    options: BuildOptions = ASMX_SERVICE


# Generation 2 (Pixelz) keeps the real service's path, as in the recorded traffic;
# generation 1 (legacy) also lived at /soap.asmx on its own host, so in one sandbox it
# moves under /legacy/. Both are plain prefixes: the HTTP GET/POST bindings add /<op>.
GENERATIONS: tuple[GenerationConfig, ...] = (
    GenerationConfig(
        key="pixelz",
        wsdl="wsdl/pixelz/pixelz.wsdl",
        client_class="PixelzClient",
        sandbox_path="/soap.asmx",
        label="generation 2 (Pixelz)",
        overlay="codegen/overlays/pixelz.toml",
    ),
    GenerationConfig(
        key="legacy",
        wsdl="wsdl/legacy/removethebackground.wsdl",
        client_class="RemoveTheBackgroundClient",
        sandbox_path="/legacy/soap.asmx",
        label="generation 1 (legacy)",
        overlay="codegen/overlays/legacy.toml",
    ),
)


def generation(
    key: str, generations: tuple[GenerationConfig, ...] = GENERATIONS
) -> GenerationConfig:
    """The entry for ``key``; a clear error naming the known keys otherwise."""
    for entry in generations:
        if entry.key == key:
            return entry
    known = ", ".join(g.key for g in generations)
    raise KeyError(f"no generation {key!r} in codegen/config.py (known: {known})")
