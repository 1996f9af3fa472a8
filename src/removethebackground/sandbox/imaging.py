"""Local stand-in for the service's background removal, using Pillow only.

The real service has people and AI models cut out product photos. The local sandbox server
cannot do that, so it uses this module instead. The method below works for the usual studio
shot (one object on a plain, light or dark background). It is good enough for tests and demos,
and it is not meant to match the service's quality.

Algorithm of :func:`remove_background`:

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
4. **Keep only what touches the border.** The background is the set of candidate pixels
   4-connected to the image border: a flood fill seeded from every border pixel. A candidate
   region enclosed by the object stays opaque. An example is a white logo on a dark bag.
   The fill works on horizontal *runs* of candidate pixels, not on single pixels. A regular
   expression finds the runs in the mask bytes. Runs in neighbouring rows that overlap are
   merged with union-find, and runs whose group reaches the border are painted back with
   slice assignment. Python work therefore grows with the number of runs, which is a few per
   row for a photo, and not with the number of pixels. (``ImageDraw.floodfill`` is a loop in
   pure Python over single pixels, which is far too slow for a 2000x2000 photo.)
5. **Feather the edge.** The object mask is blurred with ``GaussianBlur(feather)``. A lookup
   table then stretches the result, so pixels deep inside the object are exactly 255 again and
   pixels well outside it are exactly 0. Alpha therefore ramps over about ``feather`` pixels on
   each side of the boundary. The result is combined (minimum) with the input's own alpha and
   the image is returned as PNG.

Known limitations, acceptable for a sandbox: an object touching the image border, or with a
colour close to the background, loses those parts. Background visible through a closed hole,
such as inside a bag's handle, stays opaque. Edge pixels keep the background's colour tint,
because no colour decontamination is done.

Errors: every problem with the *image data* raises :class:`ImageProcessingError`. This covers
empty, undecodable, truncated, unsupported, too large or zero-size images. Invalid *arguments*
are programming errors and raise ``TypeError`` or ``ValueError``: data that is not bytes, a
negative tolerance, and so on.
"""

from __future__ import annotations

import io
import random
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageFilter,
    ImageOps,
    ImageStat,
    UnidentifiedImageError,
)

__all__ = [
    "SUPPORTED_FORMATS",
    "TRANSPARENT_ALPHA_THRESHOLD",
    "ImageProcessingError",
    "SampleProductLayout",
    "make_sample_product_photo",
    "make_thumbnail",
    "remove_background",
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


def _connected_to_border(mask: Image.Image) -> Image.Image:
    """Keep the 255-pixels of *mask* that are 4-connected to the image border.

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
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if find(index) in border_roots:
            out[start:end] = ones[: end - start]
    return Image.frombytes("L", (stride, height), bytes(out)).crop((0, 0, width, height))


def _feathered_alpha(background: Image.Image, feather: float) -> Image.Image:
    """Alpha from a background mask: 0 on the background, 255 on the object, with a soft edge."""
    alpha = ImageChops.invert(background)
    if feather <= 0:
        return alpha
    blurred = alpha.filter(ImageFilter.GaussianBlur(feather))
    span = _FEATHER_HIGH - _FEATHER_LOW
    table = [min(255, max(0, round((value - _FEATHER_LOW) * 255 / span))) for value in range(256)]
    return blurred.point(table)


def remove_background(
    data: bytes,
    *,
    tolerance: int = 40,
    feather: float = 1.5,
    max_pixels: int = _DEFAULT_MAX_PIXELS,
) -> bytes:
    """Make the plain background around a product transparent. Returns PNG bytes (RGBA).

    :param data: Encoded image (JPEG, PNG, WebP, GIF, BMP or TIFF).
    :param tolerance: Largest per-channel difference (0-255) from the estimated background
        colour that still counts as background. Only regions connected to the border count.
    :param feather: Width in pixels of the alpha ramp at the object's edge. 0 gives a hard edge.
    :param max_pixels: Refuse images with more pixels than this. The check runs before
        decoding. Pillow's own limit (``Image.MAX_IMAGE_PIXELS``) applies too.
    :raises ImageProcessingError: The data is empty, undecodable, too large or zero-size.
    """
    data = _check_bytes(data, "data")
    if isinstance(tolerance, bool) or not isinstance(tolerance, int):
        raise TypeError("tolerance must be an int")
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    if not feather >= 0:  # also rejects NaN
        raise ValueError("feather must be >= 0")
    if max_pixels < 1:
        raise ValueError("max_pixels must be >= 1")

    rgba = _decode(data, max_pixels=max_pixels)
    background_colour = _border_median(rgba.convert("RGB"))
    candidates = _candidate_mask(rgba, background_colour, min(tolerance, 255))
    background = _connected_to_border(candidates)
    alpha = _feathered_alpha(background, feather)
    alpha = ImageChops.darker(alpha, rgba.getchannel("A"))
    rgba.putalpha(alpha)
    return _encode_png(rgba)


# --------------------------------------------------------------------------- helpers for demos


def make_thumbnail(png: bytes, *, size: int = 256) -> bytes:
    """Scale an image so its longest side is *size* pixels. Returns RGBA PNG bytes.

    The aspect ratio is kept, and the other side is at least 1 pixel. Transparency is kept,
    because Pillow resamples RGBA with premultiplied alpha. Smaller images are enlarged, so
    the longest side is always exactly *size*. Any supported input format is accepted, not
    only PNG.

    :raises ImageProcessingError: The data cannot be decoded (see :func:`remove_background`).
    """
    png = _check_bytes(png, "png")
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError("size must be an int")
    if size < 1:
        raise ValueError("size must be >= 1")
    image = _decode(png, max_pixels=_DEFAULT_MAX_PIXELS)
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
