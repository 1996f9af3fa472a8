"""Local stand-in for the service's background removal, using Pillow only.

The real service has people and AI models cut out product photos. The local sandbox server
cannot do that, so it uses this module instead. The method below works for the usual studio
shot (one object on a plain, light or dark background). It is good enough for tests and demos,
and it is not meant to match the service's quality.

Algorithm of :func:`cut_out` (and :func:`remove_background`, its PNG form):

1. **Decode safely.** Empty data is rejected. Only the formats in :data:`SUPPORTED_FORMATS`
   are accepted. The pixel count is checked against ``max_pixels`` using the image header,
   before any pixel data is decoded. If Pillow's own decompression-bomb guard fires
   (``DecompressionBombWarning`` or ``DecompressionBombError``), that becomes
   :class:`ImageProcessingError` too. Next the EXIF orientation is applied, only the first
   frame of an animation is kept, and the image is converted to RGBA.
2. **Estimate the background colour.** This is the per-channel median of the pixels on the
   1-pixel border of the image. ``ImageStat`` computes it from a histogram restricted by a
   frame mask.
3. **Build the candidate mask.** A pixel is a candidate if its colour is within ``tolerance``
   of the background colour. Distance is the *maximum per-channel* difference, that is,
   ``max(|R-r|, |G-g|, |B-b|)``. It is not the Euclidean distance. The mask is built with
   ``ImageChops.difference`` and ``ImageChops.lighter`` plus one lookup table, so it runs
   entirely in C. Pixels that were already (almost) fully transparent in the input are
   candidates too.
4. **Keep what touches the border.** The background is the set of candidate pixels
   4-connected to the image border: a flood fill seeded from every border pixel.
   The fill works on horizontal *runs* of candidate pixels, not on single pixels. A regular
   expression finds the runs in the mask bytes. Runs in neighbouring rows that overlap are
   merged with union-find, and runs whose group reaches the border are painted back with
   slice assignment. Python work therefore grows with the number of runs, which is a few per
   row for a photo, and not with the number of pixels. (``ImageDraw.floodfill`` is a loop in
   pure Python over single pixels, which is far too slow for a 2000x2000 photo.)
5. **Decide on the enclosed regions.** A candidate region that does not touch the border is
   enclosed by the object: either background seen through it (the inside of a mug handle or
   of a bag strap) or a part of the object that happens to be close to the background colour
   (a white logo on a dark shoe). It becomes background only when it passes all three tests:

   - **colour**: its mean colour is within ``hole_tolerance`` (default 8, max-channel) of
     the mean colour of the background *around the object* (the border-connected background
     inside the object's bounding box grown by a tenth). This is much tighter than
     ``tolerance``, which must also cover the vignette and the shading of a real studio
     background; a hole shows the same backdrop under the same light as the pixels next
     to the object, while a printed white is brighter or tinted;
   - **texture**: its per-channel standard deviation is at most 1.5 x that background's plus
     2 levels: the backdrop has only sensor noise, printed or shaded parts have more;
   - **size**: it covers at least ``min_hole_fraction`` (default 5 %) of the object's area
     (and at least 64 pixels). Small near-white details (logos, labels, highlights) stay
     opaque even when their colour matches, because a mistake there is what a reviewer sees
     first, while the holes that matter (handles, straps) are large.

   The sample sneaker's logo fails two tests (its mean is 10-12 levels off the backdrop, and
   it covers about 4.5 % of the shoe); a drawn mug's handle hole passes all three.
6. **Feather the edge.** The object mask is blurred with ``GaussianBlur(feather)``. A lookup
   table then stretches the result, so pixels deep inside the object are exactly 255 again and
   pixels well outside it are exactly 0. Alpha therefore ramps over about ``feather`` pixels on
   each side of the boundary. The result is combined (minimum) with the input's own alpha.
   :func:`cut_out` returns this RGBA image; :func:`remove_background` encodes it as PNG.

Known limitations, acceptable for a sandbox: an object touching the image border, or with a
colour close to the background, loses those parts. A hole smaller than ``min_hole_fraction``
stays opaque. Edge pixels keep the background's colour tint, because no colour
decontamination is done.

**Templates** (:class:`OutputSpec`, :func:`compose_output`, :func:`encode_output`,
:func:`render_output`). The service lists the output formats and names the template fields
but documents none of their codes; the sandbox's meaning of each, in the order applied:

- ``MarginType``: 0 none (the whole cut-out canvas is kept as it is), 1 percent, 2 pixels.
  With margins the cut-out is cropped to the object's bounding box (alpha >= 16) and
  ``MarginTop``/``Bottom``/``Left``/``Right`` of empty background are put around it; in
  percent, top/bottom are of the output's height and left/right of its width.
- ``ResizeType``: 0 none (output at the object's own scale); 1 **canvas**: the output is
  exactly ``ResizeWidth`` x ``ResizeHeight`` (one of them 0: it follows the object's aspect
  ratio) and the object is scaled, up or down, to fill the box inside the margins, centred
  horizontally and placed vertically by ``MarginVerticalAlignment`` (0 middle, 1 top,
  2 bottom); 2 **fit**: the whole result is scaled, keeping its aspect ratio, to fit inside
  ``ResizeWidth`` x ``ResizeHeight`` (0 = no limit on that side). ``ResizeUnit``: 0 pixels,
  1 percent of the input image's width and height.
- ``ResizeMaxSize`` / ``ResizeMinSize`` (pixels, 0 = none): then the longest side is
  scaled down to at most the maximum, or else up to at least the minimum.
- ``BackgroundType``: 1 (and 0) **removed**: transparent in the formats that carry it (PNG,
  TIFF, PSD), ``BackgroundColor`` in JPG; 2 **colour**: ``BackgroundColor`` in every format;
  3 **vertical gradient** from ``BackgroundColor`` at the top to
  ``BackgroundVerticalGradientColor`` at the bottom. ``BackgroundColor`` is ``#RRGGBB``.
- ``OutputFormat``: JPG/JPEG -> ``.jpg`` (quality 92, no alpha); PNG -> ``.png``; TIF/TIFF
  -> ``.tif`` (deflate, alpha as an extra sample); PSD -> ``.psd``: Pillow cannot write PSD,
  so the sandbox writes a flat, uncompressed Photoshop file itself (the composite on
  ``BackgroundColor`` plus the cut-out mask as alpha channel, see :func:`_encode_psd`),
  not the layered file with a clipping path a retoucher would deliver.

Other codes behave as the first one listed for the field. ``ShadowType``, mannequin and model
flags, colour changes and instructions are not applied. An image without a template gets
:class:`OutputSpec`'s defaults: the cut-out as a transparent PNG at the input's size. A
template that asks for margins with no room left, or an output over ``max_pixels``, raises
:class:`ImageProcessingError` (the image goes to On Hold with that reason).

Errors: every problem with the *image data* raises :class:`ImageProcessingError`. This covers
empty, undecodable, truncated, unsupported, too large or zero-size images. Invalid *arguments*
are programming errors and raise ``TypeError`` or ``ValueError``: data that is not bytes, a
negative tolerance, and so on.
"""

from __future__ import annotations

import io
import math
import random
import re
import struct
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageFilter,
    ImageOps,
    ImageStat,
    UnidentifiedImageError,
)

from .outputs import OUTPUT_CONTENT_TYPES

__all__ = [
    "ALIGN_BOTTOM",
    "ALIGN_MIDDLE",
    "ALIGN_TOP",
    "BACKGROUND_COLOUR",
    "BACKGROUND_GRADIENT",
    "BACKGROUND_REMOVED",
    "CONTENT_TYPES",
    "MARGIN_NONE",
    "MARGIN_PERCENT",
    "MARGIN_PIXELS",
    "OUTPUT_EXTENSIONS",
    "RESIZE_CANVAS",
    "RESIZE_FIT",
    "RESIZE_NONE",
    "SUPPORTED_FORMATS",
    "TRANSPARENT_ALPHA_THRESHOLD",
    "UNIT_PERCENT",
    "UNIT_PIXELS",
    "ImageProcessingError",
    "OutputSpec",
    "RenderedImage",
    "SampleProductLayout",
    "compose_output",
    "cut_out",
    "encode_output",
    "make_sample_product_photo",
    "make_thumbnail",
    "parse_colour",
    "remove_background",
    "render_output",
    "sample_product_layout",
    "transparent_fraction",
]

#: Pillow format names accepted by the decoder. Other Pillow plugins are refused on purpose.
#: Some of them (EPS, for example) start external programs, and this data is untrusted input.
SUPPORTED_FORMATS: Final[tuple[str, ...]] = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")

#: A pixel counts as transparent when its alpha is *below* this value. That is about 6 %
#: opacity, which cannot be seen. :func:`remove_background` writes exactly 0 there anyway.
TRANSPARENT_ALPHA_THRESHOLD: Final[int] = 16

_DEFAULT_MAX_PIXELS: Final[int] = 40_000_000

# Alpha values of the blurred mask at or below _FEATHER_LOW become 0, values at or above
# _FEATHER_HIGH become 255, and values in between are stretched linearly.
_FEATHER_LOW: Final[int] = 8
_FEATHER_HIGH: Final[int] = 247

_RUN_PATTERN: Final[re.Pattern[bytes]] = re.compile(rb"\xff+")

# Enclosed regions smaller than this many pixels are never holes (noise, JPEG speckle).
_MIN_HOLE_PIXELS: Final[int] = 64
# A hole's per-channel standard deviation may exceed the background's by this factor and slack.
_HOLE_TEXTURE_FACTOR: Final[float] = 1.5
_HOLE_TEXTURE_SLACK: Final[float] = 2.0

# warnings.catch_warnings() changes global state. The lock keeps concurrent calls of this
# module (for example, from a threaded sandbox server) from interleaving. Only the cheap header
# parse in Image.open() runs under it.
_OPEN_LOCK: Final[threading.Lock] = threading.Lock()

_RGB = tuple[int, int, int]
_Box = tuple[int, int, int, int]


class ImageProcessingError(Exception):
    """The image data could not be processed (empty, undecodable, too large, zero-size, ...)."""


# --------------------------------------------------------------------------- decoding


def _check_bytes(data: object, name: str) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{name} must be bytes, not {type(data).__name__}")


def _decode(data: bytes, *, max_pixels: int) -> Image.Image:
    """Decode the first frame of *data* into an RGBA image, applying EXIF orientation."""
    if len(data) == 0:
        raise ImageProcessingError("The image data is empty.")
    try:
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=SUPPORTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProcessingError(
            "The image is too large to decode safely (decompression bomb protection)."
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageProcessingError(
            f"The data is not an image in a supported format ({', '.join(SUPPORTED_FORMATS)})."
        ) from exc
    except Exception as exc:  # Pillow plugins raise many types on malformed headers.
        raise ImageProcessingError("The image header could not be read.") from exc

    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageProcessingError(f"The image has zero size ({width}x{height}).")
    if width * height > max_pixels:
        raise ImageProcessingError(
            f"The image has {width * height} pixels, more than the limit of {max_pixels}."
        )

    try:
        image.load()
        oriented = ImageOps.exif_transpose(image)
        if oriented.mode in ("I", "F") or oriented.mode.startswith("I;16"):
            # 16-bit greyscale: scale to 8 bits (convert() would clip instead).
            oriented = oriented.convert("I").point(lambda value: value / 256).convert("L")
        rgba = oriented.convert("RGBA")
    except Exception as exc:  # Truncated or corrupt pixel data, odd modes, bad EXIF, ...
        raise ImageProcessingError("The image data is corrupt or truncated.") from exc
    finally:
        image.close()
    return rgba


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Level 1 is much faster than the default level 6, and for photos the file is only
    # slightly bigger.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


# --------------------------------------------------------------------------- background removal


def _border_median(rgb: Image.Image) -> _RGB:
    """Per-channel median of the pixels on the 1-pixel image border."""
    width, height = rgb.size
    frame = Image.new("L", (width, height), 255)
    if width > 2 and height > 2:
        frame.paste(0, (1, 1, width - 1, height - 1))
    red, green, blue = (int(value) for value in ImageStat.Stat(rgb, frame).median[:3])
    return red, green, blue


def _candidate_mask(rgba: Image.Image, background: _RGB, tolerance: int) -> Image.Image:
    """Mask "L": 255 where the colour is within *tolerance* (max-channel) of *background*."""
    rgb = rgba.convert("RGB")
    difference = ImageChops.difference(rgb, Image.new("RGB", rgb.size, background))
    red, green, blue = difference.split()
    distance = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = distance.point([255 if value <= tolerance else 0 for value in range(256)])
    alpha = rgba.getchannel("A")
    lowest_alpha, _ = alpha.getextrema()
    if isinstance(lowest_alpha, (int, float)) and lowest_alpha < TRANSPARENT_ALPHA_THRESHOLD:
        invisible = alpha.point(
            [255 if value < TRANSPARENT_ALPHA_THRESHOLD else 0 for value in range(256)]
        )
        mask = ImageChops.lighter(mask, invisible)
    return mask


@dataclass(frozen=True)
class _Region:
    """A group of 4-connected mask pixels, as horizontal runs of the padded mask buffer."""

    area: int
    runs: tuple[tuple[int, int], ...]


def _connected_to_border(
    mask: Image.Image, *, min_region: int | None = None
) -> tuple[Image.Image, list[_Region]]:
    """Split the 255-pixels of *mask* into the part 4-connected to the border and the rest.

    Returns the border-connected part as a mask, and (when *min_region* is given) the
    enclosed regions of at least *min_region* pixels, largest first.

    The image is handled as horizontal runs of 255-pixels. A zero column is appended to every
    row, so that one regular-expression scan over the bytes finds all runs and no run crosses
    a row end. Overlapping runs in neighbouring rows are joined with union-find. Then every run
    in a group that reaches the border is written back into a byte buffer.
    """
    width, height = mask.size
    stride = width + 1
    padded = Image.new("L", (stride, height), 0)
    padded.paste(mask, (0, 0))
    buffer = padded.tobytes()

    starts: list[int] = []
    ends: list[int] = []
    row_first_run = [0] * (height + 1)  # index of the first run of each row (+ sentinel)
    row = 0
    for match in _RUN_PATTERN.finditer(buffer):
        start, end = match.span()
        run_row = start // stride
        while row < run_row:
            row += 1
            row_first_run[row] = len(starts)
        starts.append(start)
        ends.append(end)
    while row < height:
        row += 1
        row_first_run[row] = len(starts)

    parent = list(range(len(starts)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]  # path halving
            index = parent[index]
        return index

    for y in range(height - 1):
        i, i_end = row_first_run[y], row_first_run[y + 1]
        j, j_end = i_end, row_first_run[y + 2]
        while i < i_end and j < j_end:
            # Shift run i down one row so both runs use the same offsets.
            a_start, a_end = starts[i] + stride, ends[i] + stride
            b_start, b_end = starts[j], ends[j]
            if a_start < b_end and b_start < a_end:
                root_a, root_b = find(i), find(j)
                if root_a != root_b:
                    parent[root_b] = root_a
            if a_end < b_end:
                i += 1
            else:
                j += 1

    border_roots: set[int] = set()
    for index in range(row_first_run[0], row_first_run[1]):  # top row
        border_roots.add(find(index))
    for index in range(row_first_run[height - 1], row_first_run[height]):  # bottom row
        border_roots.add(find(index))
    for y in range(1, height - 1):  # left and right edges
        row_start = y * stride
        for index in range(row_first_run[y], row_first_run[y + 1]):
            if starts[index] == row_start or ends[index] == row_start + width:
                border_roots.add(find(index))

    out = bytearray(len(buffer))
    ones = memoryview(b"\xff" * width)
    enclosed: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        root = find(index)
        if root in border_roots:
            out[start:end] = ones[: end - start]
        elif min_region is not None:
            enclosed.setdefault(root, []).append(index)
    border = Image.frombytes("L", (stride, height), bytes(out)).crop((0, 0, width, height))
    regions: list[_Region] = []
    for members in enclosed.values():
        area = sum(ends[i] - starts[i] for i in members)
        if min_region is not None and area >= min_region:
            regions.append(_Region(area, tuple((starts[i], ends[i]) for i in members)))
    regions.sort(key=lambda region: region.area, reverse=True)
    return border, regions


def _region_mask(region: _Region, size: tuple[int, int]) -> Image.Image:
    width, height = size
    stride = width + 1
    out = bytearray(stride * height)
    for start, end in region.runs:
        out[start:end] = b"\xff" * (end - start)
    return Image.frombytes("L", (stride, height), bytes(out)).crop((0, 0, width, height))


def _local_background(
    rgb: Image.Image, background: Image.Image
) -> tuple[list[float], list[float], int] | None:
    """Mean and standard deviation (per channel) of the background around the object.

    The sample is the border-connected background inside the object's bounding box grown by
    a tenth of its size on each side: near enough to the object to share its lighting (a
    studio background is rarely flat), far from the image corners' vignette. ``None`` when
    there is no object or no background near it. The third value is the object's area.
    """
    objects = ImageChops.invert(background)
    box = objects.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    grow_x, grow_y = max(2, (right - left) // 10), max(2, (bottom - top) // 10)
    width, height = rgb.size
    region = (
        max(0, left - grow_x),
        max(0, top - grow_y),
        min(width, right + grow_x),
        min(height, bottom + grow_y),
    )
    ring = background.crop(region)
    histogram = ring.histogram()
    if histogram[255] == 0:
        return None
    stat = ImageStat.Stat(rgb.crop(region), ring)
    object_area = objects.histogram()[255]
    return list(stat.mean[:3]), list(stat.stddev[:3]), object_area


def _background_holes(
    rgb: Image.Image,
    background: Image.Image,
    regions: list[_Region],
    *,
    hole_tolerance: int,
    min_hole_fraction: float,
) -> Image.Image | None:
    """The enclosed candidate regions that are background seen through the object.

    See the module docstring for the rule. Returns a mask of the accepted holes, or ``None``.
    """
    local = _local_background(rgb, background)
    if local is None:
        return None
    mean, stddev, object_area = local
    smallest = max(_MIN_HOLE_PIXELS, math.ceil(min_hole_fraction * object_area))
    holes: Image.Image | None = None
    for region in regions:
        if region.area < smallest:
            break  # largest first: the rest are smaller still
        mask = _region_mask(region, rgb.size)
        stat = ImageStat.Stat(rgb, mask)
        colour_distance = max(abs(a - b) for a, b in zip(stat.mean[:3], mean, strict=True))
        texture_excess = max(
            a - (b * _HOLE_TEXTURE_FACTOR + _HOLE_TEXTURE_SLACK)
            for a, b in zip(stat.stddev[:3], stddev, strict=True)
        )
        if colour_distance <= hole_tolerance and texture_excess <= 0:
            holes = mask if holes is None else ImageChops.lighter(holes, mask)
    return holes


def _feathered_alpha(background: Image.Image, feather: float) -> Image.Image:
    """Alpha from a background mask: 0 on the background, 255 on the object, with a soft edge."""
    alpha = ImageChops.invert(background)
    if feather <= 0:
        return alpha
    blurred = alpha.filter(ImageFilter.GaussianBlur(feather))
    span = _FEATHER_HIGH - _FEATHER_LOW
    table = [min(255, max(0, round((value - _FEATHER_LOW) * 255 / span))) for value in range(256)]
    return blurred.point(table)


def cut_out(
    data: bytes,
    *,
    tolerance: int = 40,
    feather: float = 1.5,
    hole_tolerance: int = 8,
    min_hole_fraction: float = 0.05,
    max_pixels: int = _DEFAULT_MAX_PIXELS,
) -> Image.Image:
    """Make the plain background around a product transparent. Returns an RGBA image.

    :param data: Encoded image (JPEG, PNG, WebP, GIF, BMP or TIFF).
    :param tolerance: Largest per-channel difference (0-255) from the estimated background
        colour that still counts as background.
    :param feather: Width in pixels of the alpha ramp at the object's edge. 0 gives a hard edge.
    :param hole_tolerance: Largest per-channel difference between the mean colour of a region
        enclosed by the object and the mean colour of the background around the object for the
        region to count as background seen through the object (see the module docstring).
    :param min_hole_fraction: Smallest size of such a region, as a fraction of the object's
        area; smaller enclosed regions always stay opaque. ``1.0`` or more keeps every
        enclosed region opaque.
    :param max_pixels: Refuse images with more pixels than this. The check runs before
        decoding. Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) applies too.
    :raises ImageProcessingError: The data is empty, undecodable, too large or zero-size.
    """
    data = _check_bytes(data, "data")
    for name, value in (("tolerance", tolerance), ("hole_tolerance", hole_tolerance)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
        if value < 0:
            raise ValueError(f"{name} must be >= 0")
    if not feather >= 0:  # also rejects NaN
        raise ValueError("feather must be >= 0")
    if not min_hole_fraction >= 0:
        raise ValueError("min_hole_fraction must be >= 0")
    if max_pixels < 1:
        raise ValueError("max_pixels must be >= 1")

    rgba = _decode(data, max_pixels=max_pixels)
    rgb = rgba.convert("RGB")
    background_colour = _border_median(rgb)
    candidates = _candidate_mask(rgba, background_colour, min(tolerance, 255))
    background, enclosed = _connected_to_border(candidates, min_region=_MIN_HOLE_PIXELS)
    if enclosed:
        holes = _background_holes(
            rgb,
            background,
            enclosed,
            hole_tolerance=hole_tolerance,
            min_hole_fraction=min_hole_fraction,
        )
        if holes is not None:
            background = ImageChops.lighter(background, holes)
    alpha = _feathered_alpha(background, feather)
    alpha = ImageChops.darker(alpha, rgba.getchannel("A"))
    rgba.putalpha(alpha)
    return rgba


def remove_background(
    data: bytes,
    *,
    tolerance: int = 40,
    feather: float = 1.5,
    hole_tolerance: int = 8,
    min_hole_fraction: float = 0.05,
    max_pixels: int = _DEFAULT_MAX_PIXELS,
) -> bytes:
    """:func:`cut_out`, encoded as PNG bytes (RGBA, the input's size)."""
    return _encode_png(
        cut_out(
            data,
            tolerance=tolerance,
            feather=feather,
            hole_tolerance=hole_tolerance,
            min_hole_fraction=min_hole_fraction,
            max_pixels=max_pixels,
        )
    )


# --------------------------------------------------------------------------- the template's output

#: The template output formats the service lists, and the file extension each is delivered with.
OUTPUT_EXTENSIONS: Final[Mapping[str, str]] = {
    "JPG": "jpg",
    "JPEG": "jpg",
    "PNG": "png",
    "TIF": "tif",
    "TIFF": "tif",
    "PSD": "psd",
}
#: Content type of each delivered extension (declared with the output names in :mod:`.outputs`).
CONTENT_TYPES: Final[Mapping[str, str]] = OUTPUT_CONTENT_TYPES
#: Formats that carry transparency (PSD as an extra alpha channel, see :func:`encode_output`).
_ALPHA_EXTENSIONS: Final[frozenset[str]] = frozenset({"png", "tif", "psd"})

# Template codes (``BackgroundType``, ``ResizeType``, ``ResizeUnit``, ``MarginType``,
# ``MarginVerticalAlignment``). The service documents none of them; these are the sandbox's.
BACKGROUND_REMOVED: Final[int] = 1  # 0 too, and any code not listed here
BACKGROUND_COLOUR: Final[int] = 2
BACKGROUND_GRADIENT: Final[int] = 3
RESIZE_NONE: Final[int] = 0  # and any code not listed here
RESIZE_CANVAS: Final[int] = 1
RESIZE_FIT: Final[int] = 2
UNIT_PIXELS: Final[int] = 0  # and any code not listed here
UNIT_PERCENT: Final[int] = 1
MARGIN_NONE: Final[int] = 0  # and any code not listed here
MARGIN_PERCENT: Final[int] = 1
MARGIN_PIXELS: Final[int] = 2
ALIGN_MIDDLE: Final[int] = 0  # and any code not listed here
ALIGN_TOP: Final[int] = 1
ALIGN_BOTTOM: Final[int] = 2

_WHITE: Final[_RGB] = (255, 255, 255)
_COLOUR_PATTERN: Final[re.Pattern[str]] = re.compile(r"#?([0-9A-Fa-f]{6})")
_INT_FIELDS: Final[tuple[str, ...]] = (
    "background_type",
    "resize_type",
    "resize_unit",
    "resize_width",
    "resize_height",
    "resize_min_size",
    "resize_max_size",
    "margin_type",
    "margin_top",
    "margin_bottom",
    "margin_left",
    "margin_right",
    "margin_vertical_alignment",
)


def parse_colour(text: object) -> _RGB | None:
    """``#RRGGBB`` (the ``#`` optional) as an RGB tuple; ``None`` for anything else."""
    if not isinstance(text, str):
        return None
    match = _COLOUR_PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    value = int(match.group(1), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


@dataclass(frozen=True)
class OutputSpec:
    """What a delivered image looks like: the output part of a template.

    Field names and codes are those of the service's ``TemplateSpec`` (see the module
    docstring for what each code does). The default is what an image without a template
    gets: the cut-out as a transparent PNG at the input's size.
    """

    output_format: str = "PNG"
    background_type: int = BACKGROUND_REMOVED
    background_color: _RGB = _WHITE
    background_vertical_gradient_color: _RGB | None = None
    resize_type: int = RESIZE_NONE
    resize_unit: int = UNIT_PIXELS
    resize_width: int = 0
    resize_height: int = 0
    resize_min_size: int = 0
    resize_max_size: int = 0
    margin_type: int = MARGIN_NONE
    margin_top: int = 0
    margin_bottom: int = 0
    margin_left: int = 0
    margin_right: int = 0
    margin_vertical_alignment: int = ALIGN_MIDDLE
    max_pixels: int = _DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if self.output_format not in OUTPUT_EXTENSIONS:
            raise ValueError(
                f"output_format must be one of {', '.join(OUTPUT_EXTENSIONS)}, "
                f"not {self.output_format!r}"
            )
        for name in _INT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, not {value!r}")
        if self.max_pixels < 1:
            raise ValueError("max_pixels must be >= 1")

    @classmethod
    def from_template(cls, spec: Mapping[str, Any]) -> OutputSpec:
        """The output part of a stored template spec (keys as in ``TemplateSpec``).

        Missing keys take the defaults of a template made by ``AddTemplate`` with empty
        parameters (JPG on white, no resize, no margins). An unreadable colour is white.
        """
        fmt = str(spec.get("output_format") or "JPG").strip().upper()
        numbers: dict[str, int] = {}
        for name in _INT_FIELDS:
            raw = spec.get(name)
            try:
                numbers[name] = max(0, int(raw)) if raw not in (None, "") else 0
            except (TypeError, ValueError):
                numbers[name] = 0
        if spec.get("background_type") in (None, ""):
            numbers["background_type"] = BACKGROUND_REMOVED
        return cls(
            output_format=fmt if fmt in OUTPUT_EXTENSIONS else "JPG",
            background_color=parse_colour(spec.get("background_color")) or _WHITE,
            background_vertical_gradient_color=parse_colour(
                spec.get("background_vertical_gradient_color")
            ),
            **numbers,
        )

    @property
    def extension(self) -> str:
        """File extension of the delivered image (``jpg``, ``png``, ``tif`` or ``psd``)."""
        return OUTPUT_EXTENSIONS[self.output_format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def transparent(self) -> bool:
        """Whether the background is left transparent (else it is painted)."""
        return self.extension in _ALPHA_EXTENSIONS and self.background_type not in (
            BACKGROUND_COLOUR,
            BACKGROUND_GRADIENT,
        )


class RenderedImage(NamedTuple):
    """An encoded output image: its bytes, content type and file extension (no dot)."""

    data: bytes
    content_type: str
    extension: str


@dataclass(frozen=True)
class _Layout:
    canvas: tuple[float, float]
    position: tuple[float, float]
    size: tuple[float, float]

    def scaled(self, factor: float) -> _Layout:
        (cw, ch), (x, y), (w, h) = self.canvas, self.position, self.size
        return _Layout(
            (cw * factor, ch * factor), (x * factor, y * factor), (w * factor, h * factor)
        )


def _object_box(rgba: Image.Image) -> _Box | None:
    alpha = rgba.getchannel("A")
    visible = alpha.point([255 if v >= TRANSPARENT_ALPHA_THRESHOLD else 0 for v in range(256)])
    return visible.getbbox()


def _resize_target(spec: OutputSpec, source: tuple[int, int]) -> tuple[float, float]:
    """ResizeWidth x ResizeHeight in pixels (0 = not given); percent of the input's size."""
    width, height = float(spec.resize_width), float(spec.resize_height)
    if spec.resize_unit == UNIT_PERCENT:
        width, height = source[0] * width / 100, source[1] * height / 100
    return width, height


def _output_layout(spec: OutputSpec, content: tuple[int, int], source: tuple[int, int]) -> _Layout:
    cw, ch = float(content[0]), float(content[1])
    percent = spec.margin_type == MARGIN_PERCENT
    pixels = spec.margin_type == MARGIN_PIXELS
    top, bottom = float(spec.margin_top), float(spec.margin_bottom)
    left, right = float(spec.margin_left), float(spec.margin_right)
    if not (percent or pixels):
        top = bottom = left = right = 0.0
    if percent and (top + bottom >= 100 or left + right >= 100):
        raise ImageProcessingError(
            "The template's margins leave no room for the object: top + bottom and "
            "left + right must each be below 100 %."
        )
    target_width, target_height = _resize_target(spec, source)

    if spec.resize_type == RESIZE_CANVAS and (target_width >= 1 or target_height >= 1):
        # A fixed canvas: the object is scaled to fill the box inside the margins.
        if target_width < 1:
            target_width = target_height * cw / ch
        if target_height < 1:
            target_height = target_width * ch / cw
        if percent:
            top, bottom = target_height * top / 100, target_height * bottom / 100
            left, right = target_width * left / 100, target_width * right / 100
        inner_width, inner_height = target_width - left - right, target_height - top - bottom
        if inner_width < 1 or inner_height < 1:
            raise ImageProcessingError(
                f"The template's margins leave no room for the object on its "
                f"{round(target_width)}x{round(target_height)} canvas."
            )
        scale = min(inner_width / cw, inner_height / ch)
        width, height = cw * scale, ch * scale
        x = left + (inner_width - width) / 2
        if spec.margin_vertical_alignment == ALIGN_TOP:
            y = top
        elif spec.margin_vertical_alignment == ALIGN_BOTTOM:
            y = top + inner_height - height
        else:
            y = top + (inner_height - height) / 2
        layout = _Layout((target_width, target_height), (x, y), (width, height))
    else:
        # The object at its own scale, with the margins around it.
        if percent:
            canvas_width = cw / (1 - (left + right) / 100)
            canvas_height = ch / (1 - (top + bottom) / 100)
            left, right = canvas_width * left / 100, canvas_width * right / 100
            top, bottom = canvas_height * top / 100, canvas_height * bottom / 100
        layout = _Layout((cw + left + right, ch + top + bottom), (left, top), (cw, ch))
        if spec.resize_type == RESIZE_FIT:
            factors = [
                target / side
                for target, side in zip((target_width, target_height), layout.canvas, strict=True)
                if target >= 1
            ]
            if factors:
                layout = layout.scaled(min(factors))

    longest = max(layout.canvas)
    if spec.resize_max_size and longest > spec.resize_max_size:
        layout = layout.scaled(spec.resize_max_size / longest)
    elif spec.resize_min_size and longest < spec.resize_min_size:
        layout = layout.scaled(spec.resize_min_size / longest)
    return layout


def _painted_background(spec: OutputSpec, size: tuple[int, int]) -> Image.Image:
    top = spec.background_color
    bottom = spec.background_vertical_gradient_color
    if spec.background_type != BACKGROUND_GRADIENT or bottom is None or bottom == top:
        return Image.new("RGB", size, top)
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def compose_output(cutout: Image.Image, spec: OutputSpec) -> Image.Image:
    """Apply a template's background, resize and margins to a cut-out (pure; see the module
    docstring). Returns RGBA when the background stays transparent, else RGB.

    :raises ImageProcessingError: The template asks for an impossible or too large output.
    """
    rgba = cutout if cutout.mode == "RGBA" else cutout.convert("RGBA")
    content = rgba
    if spec.margin_type in (MARGIN_PERCENT, MARGIN_PIXELS):
        box = _object_box(rgba)
        if box is not None:
            content = rgba.crop(box)
    layout = _output_layout(spec, content.size, rgba.size)
    width, height = (max(1, round(side)) for side in layout.canvas)
    if width * height > spec.max_pixels:
        raise ImageProcessingError(
            f"The template asks for a {width}x{height} output, more than the limit of "
            f"{spec.max_pixels} pixels."
        )
    size = (max(1, round(layout.size[0])), max(1, round(layout.size[1])))
    if size != content.size:
        content = content.resize(size, Image.Resampling.LANCZOS)
    layer = Image.new("RGBA", (width, height), (*spec.background_color, 0))
    layer.paste(content, (round(layout.position[0]), round(layout.position[1])))
    if spec.transparent:
        return layer
    base = _painted_background(spec, (width, height)).convert("RGBA")
    return Image.alpha_composite(base, layer).convert("RGB")


def _encode_psd(image: Image.Image, matte: _RGB) -> bytes:
    """A flat (layer-less) 8-bit RGB Photoshop file, uncompressed.

    Pillow reads PSD but cannot write it, so this writes the smallest file the format allows
    (Adobe's "Photoshop File Format Specification": header, empty colour-mode, resource and
    layer sections, then the planar composite). A transparent image becomes the composite on
    *matte* plus a fourth channel holding the cut-out mask: Photoshop shows it as the alpha
    channel "Alpha 1" (the usual way a flat PSD carries a cut-out), Pillow reads it as RGBA.
    """
    width, height = image.size
    if image.mode == "RGBA":
        flat = Image.alpha_composite(Image.new("RGBA", image.size, (*matte, 255)), image)
        channels = [*flat.convert("RGB").split(), image.getchannel("A")]
    else:
        channels = list(image.convert("RGB").split())
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, len(channels), height, width, 8, 3)
    sections = struct.pack(">III", 0, 0, 0)  # colour mode data, image resources, layers
    return header + sections + struct.pack(">H", 0) + b"".join(c.tobytes() for c in channels)


def encode_output(image: Image.Image, spec: OutputSpec) -> RenderedImage:
    """Encode a composed image (:func:`compose_output`) in the template's output format.

    JPG/JPEG: baseline JPEG, quality 92, no alpha. PNG: RGBA or RGB as composed. TIF/TIFF:
    deflate-compressed TIFF, with its alpha as an unassociated extra sample. PSD: see
    :func:`_encode_psd`.
    """
    extension = spec.extension
    if extension == "psd":
        data = _encode_psd(image, spec.background_color)
    else:
        buffer = io.BytesIO()
        if extension == "jpg":
            image.convert("RGB").save(buffer, format="JPEG", quality=92)
        elif extension == "tif":
            image.save(buffer, format="TIFF", compression="tiff_deflate")
        else:
            image.save(buffer, format="PNG", compress_level=1)
        data = buffer.getvalue()
    return RenderedImage(data, CONTENT_TYPES[extension], extension)


def render_output(cutout: Image.Image | bytes, spec: OutputSpec) -> RenderedImage:
    """The delivered image for a cut-out (an RGBA image, or encoded bytes) and a template."""
    if not isinstance(cutout, Image.Image):
        cutout = _decode(_check_bytes(cutout, "cutout"), max_pixels=spec.max_pixels)
    return encode_output(compose_output(cutout, spec), spec)


# --------------------------------------------------------------------------- helpers for demos


def make_thumbnail(png: bytes | Image.Image, *, size: int = 256) -> bytes:
    """Scale an image so its longest side is *size* pixels. Returns PNG bytes.

    Encoded input comes back RGBA; an :class:`~PIL.Image.Image` keeps its mode (RGB or RGBA).

    The aspect ratio is kept, and the other side is at least 1 pixel. Transparency is kept,
    because Pillow resamples RGBA with premultiplied alpha. Smaller images are enlarged, so
    the longest side is always exactly *size*. Any supported input format is accepted, not
    only PNG.

    :raises ImageProcessingError: The data cannot be decoded (see :func:`remove_background`).
    """
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    if isinstance(png, Image.Image):
        image = png if png.mode in ("RGB", "RGBA") else png.convert("RGBA")
    else:
        image = _decode(_check_bytes(png, "png"), max_pixels=_DEFAULT_MAX_PIXELS)
    width, height = image.size
    scale = size / max(width, height)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if new_size != image.size:
        image = image.resize(new_size, Image.Resampling.LANCZOS)
    return _encode_png(image)


def transparent_fraction(png: bytes) -> float:
    """Fraction (0.0-1.0) of pixels whose alpha is below :data:`TRANSPARENT_ALPHA_THRESHOLD`.

    Images without an alpha channel give 0.0.

    :raises ImageProcessingError: The data cannot be decoded (see :func:`remove_background`).
    """
    png = _check_bytes(png, "png")
    image = _decode(png, max_pixels=_DEFAULT_MAX_PIXELS)
    histogram = image.getchannel("A").histogram()
    width, height = image.size
    return sum(histogram[:TRANSPARENT_ALPHA_THRESHOLD]) / (width * height)


# --------------------------------------------------------------------------- sample photo

_BODY_COLOURS: Final[tuple[_RGB, ...]] = (
    (192, 46, 44),  # red
    (36, 84, 162),  # blue
    (40, 122, 78),  # green
    (206, 122, 24),  # orange
    (112, 58, 138),  # purple
    (30, 132, 140),  # teal
)
_SOLE_COLOUR: Final[_RGB] = (52, 52, 58)
_LOGO_COLOUR: Final[_RGB] = (250, 250, 246)


@dataclass(frozen=True)
class SampleProductLayout:
    """Geometry and colours of the sneaker drawn by :func:`make_sample_product_photo`.

    Boxes are ``(left, top, right, bottom)`` in pixels, inclusive, as used by ``ImageDraw``.
    The silhouette is the union of ``sole`` (rounded rectangle), ``toe`` (ellipse) and ``heel``
    (rounded rectangle). ``collar``, ``stripe`` and ``highlight`` are drawn inside it.
    ``logo`` is a white ellipse close to the background colour. It lies fully inside the
    silhouette with a margin, so background removal must leave it opaque.
    """

    width: int
    height: int
    background: _RGB
    body: _RGB
    sole: _Box
    toe: _Box
    heel: _Box
    collar: _Box
    stripe: _Box
    highlight: _Box
    logo: _Box

    @property
    def sole_radius(self) -> int:
        return max(1, (self.sole[3] - self.sole[1]) // 2)

    @property
    def heel_radius(self) -> int:
        return max(1, min(self.heel[2] - self.heel[0], self.heel[3] - self.heel[1]) // 4)

    def object_mask(self) -> Image.Image:
        """Return an "L" image of the canvas size: 255 on the object, 0 on the background."""
        mask = Image.new("L", (self.width, self.height), 0)
        _draw_silhouette(ImageDraw.Draw(mask), self, sole_fill=255, body_fill=255)
        return mask

    def object_fraction(self) -> float:
        """Return the fraction of the canvas covered by the object."""
        histogram = self.object_mask().histogram()
        return histogram[255] / (self.width * self.height)


def _draw_silhouette(
    draw: ImageDraw.ImageDraw,
    layout: SampleProductLayout,
    *,
    sole_fill: int | _RGB,
    body_fill: int | _RGB,
) -> None:
    draw.rounded_rectangle(layout.heel, radius=layout.heel_radius, fill=body_fill)
    draw.ellipse(layout.toe, fill=body_fill)
    draw.rounded_rectangle(layout.sole, radius=layout.sole_radius, fill=sole_fill)


def _layout(width: int, height: int, rng: random.Random) -> SampleProductLayout:
    # Object bounding box: about 60 % x 50 % of the canvas, moved a little at random. It keeps
    # a margin of at least about 10 % on every side, so the object never touches the border.
    object_width = width * rng.uniform(0.56, 0.64)
    object_height = height * rng.uniform(0.46, 0.54)
    left = (width - object_width) / 2 + width * rng.uniform(-0.05, 0.05)
    top = (height - object_height) / 2 + height * rng.uniform(-0.05, 0.05)

    def box(x0: float, y0: float, x1: float, y1: float) -> _Box:
        return (
            round(left + x0 * object_width),
            round(top + y0 * object_height),
            round(left + x1 * object_width),
            round(top + y1 * object_height),
        )

    shade = rng.randint(-4, 4)
    background = (
        min(255, 240 + shade + rng.randint(0, 3)),
        min(255, 238 + shade + rng.randint(0, 3)),
        min(255, 233 + shade + rng.randint(0, 3)),
    )
    return SampleProductLayout(
        width=width,
        height=height,
        background=background,
        body=rng.choice(_BODY_COLOURS),
        sole=box(0.0, 0.80, 1.0, 1.0),
        toe=box(0.08, 0.30, 1.0, 0.92),
        heel=box(0.02, 0.0, 0.50, 0.90),
        collar=box(0.10, 0.03, 0.40, 0.17),
        stripe=box(0.08, 0.80, 0.92, 0.84),
        highlight=box(0.56, 0.40, 0.86, 0.54),
        logo=box(0.17, 0.40, 0.37, 0.62),
    )


def sample_product_layout(
    width: int = 800, height: int = 600, *, seed: int = 0
) -> SampleProductLayout:
    """Return the layout that :func:`make_sample_product_photo` draws for these arguments."""
    _check_sample_size(width, height)
    return _layout(width, height, random.Random(seed))


def _check_sample_size(width: int, height: int) -> None:
    if width < 32 or height < 32:
        raise ValueError("width and height must be at least 32 pixels")


def _scaled(colour: _RGB, factor: float) -> _RGB:
    red, green, blue = (min(255, max(0, round(channel * factor))) for channel in colour)
    return red, green, blue


def _towards_white(colour: _RGB, amount: float) -> _RGB:
    red, green, blue = (round(channel + (255 - channel) * amount) for channel in colour)
    return red, green, blue


def make_sample_product_photo(width: int = 800, height: int = 600, *, seed: int = 0) -> bytes:
    """Draw a studio-style product photo (a sneaker on an off-white background) as JPEG.

    The background is not one flat colour. It has a light vignette, which makes the border
    darker by up to 14 levels, plus per-pixel noise of +/-5 levels. The object has a dark
    sole, a body in one of a few saturated colours, a lighter highlight, a dark collar and
    stripe, and a small near-white logo inside the body. The output is deterministic for a
    given ``(width, height, seed)``. :func:`sample_product_layout` returns the geometry.
    """
    _check_sample_size(width, height)
    rng = random.Random(seed)
    layout = _layout(width, height, rng)

    # Background: flat colour, darkened towards the edges by a radial vignette.
    photo = Image.new("RGB", (width, height), layout.background)
    vignette = Image.radial_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    vignette = vignette.point([value * 14 // 255 for value in range(256)])
    photo = ImageChops.subtract(photo, Image.merge("RGB", (vignette, vignette, vignette)))

    # The object, drawn on its own layer and pasted through the silhouette mask, so that no
    # detail can stick out of the geometry that object_mask() reports.
    layer = Image.new("RGB", (width, height), layout.body)
    draw = ImageDraw.Draw(layer)
    _draw_silhouette(draw, layout, sole_fill=_SOLE_COLOUR, body_fill=layout.body)
    draw.ellipse(layout.highlight, fill=_towards_white(layout.body, 0.45))
    draw.ellipse(layout.collar, fill=_scaled(layout.body, 0.35))
    draw.rectangle(layout.stripe, fill=_scaled(_SOLE_COLOUR, 0.6))
    draw.ellipse(layout.logo, fill=_LOGO_COLOUR)
    photo.paste(layer, (0, 0), layout.object_mask())

    # Soften the hard drawing edges a little, like a lens would, then add sensor noise.
    photo = photo.filter(ImageFilter.GaussianBlur(0.7))
    amplitude = 5
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    noise = noise.point([value * (2 * amplitude + 1) // 256 for value in range(256)])
    photo = ImageChops.add(photo, Image.merge("RGB", (noise, noise, noise)), 1.0, -amplitude)

    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
