"""Tests for the sandbox's Pillow-only background removal (removethebackground.sandbox.imaging)."""

from __future__ import annotations

import io
import math
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from removethebackground.sandbox import imaging
from removethebackground.sandbox.imaging import (
    ALIGN_BOTTOM,
    ALIGN_MIDDLE,
    ALIGN_TOP,
    BACKGROUND_COLOUR,
    BACKGROUND_GRADIENT,
    MARGIN_PERCENT,
    MARGIN_PIXELS,
    RESIZE_CANVAS,
    RESIZE_FIT,
    UNIT_PERCENT,
    ImageProcessingError,
    OutputSpec,
    compose_output,
    cut_out,
    make_sample_product_photo,
    make_thumbnail,
    remove_background,
    render_output,
    sample_product_layout,
    transparent_fraction,
)

FEATHER = 1.5
# Half-width of the band around a drawn edge where alpha may legitimately be anything: the
# feather ramp (about 2 x feather on each side), JPEG ringing and the photo's 0.7 px blur.
EDGE_BAND = 2 * math.ceil(FEATHER) + 3


# --------------------------------------------------------------------------- helpers


def encode(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def alpha_of(png: bytes) -> Image.Image:
    image = decode(png)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    return image.getchannel("A")


def grow(mask: Image.Image, radius: int) -> Image.Image:
    return mask.filter(ImageFilter.MaxFilter(2 * radius + 1))


def shrink(mask: Image.Image, radius: int) -> Image.Image:
    return mask.filter(ImageFilter.MinFilter(2 * radius + 1))


def count(mask: Image.Image) -> int:
    """Number of non-zero pixels of an "L" mask."""
    histogram = mask.histogram()
    return sum(histogram) - histogram[0]


def alpha_range_where(alpha: Image.Image, region: Image.Image) -> tuple[int, int]:
    """(min, max) of alpha over the pixels where *region* is 255."""
    assert count(region) > 0, "empty test region"
    masked_min = ImageChops.lighter(alpha, ImageChops.invert(region))  # 255 outside region
    masked_max = ImageChops.darker(alpha, region)  # 0 outside region
    low, _ = masked_min.getextrema()
    _, high = masked_max.getextrema()
    assert isinstance(low, int) and isinstance(high, int)
    return low, high


def pixel(image: Image.Image, xy: tuple[int, int]) -> int:
    value = image.getpixel(xy)
    assert isinstance(value, int)
    return value


def transparent_mask(alpha: Image.Image) -> Image.Image:
    threshold = imaging.TRANSPARENT_ALPHA_THRESHOLD
    return alpha.point([255 if v < threshold else 0 for v in range(256)])


def border_region(size: tuple[int, int], thickness: int) -> Image.Image:
    width, height = size
    region = Image.new("L", size, 255)
    region.paste(0, (thickness, thickness, width - thickness, height - thickness))
    return region


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares *width* x *height* but carries (almost) no pixel data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- the sample photo


@dataclass(frozen=True)
class Processed:
    layout: imaging.SampleProductLayout
    photo: bytes
    result: bytes
    alpha: Image.Image
    object_mask: Image.Image


@pytest.fixture(scope="module")
def sample() -> Processed:
    layout = sample_product_layout(800, 600, seed=3)
    photo = make_sample_product_photo(800, 600, seed=3)
    result = remove_background(photo, feather=FEATHER)
    return Processed(layout, photo, result, alpha_of(result), layout.object_mask())


def test_sample_photo_is_a_jpeg_of_the_requested_size() -> None:
    image = decode(make_sample_product_photo(320, 240, seed=1))
    assert image.format == "JPEG"
    assert image.size == (320, 240)


def test_sample_border_becomes_transparent_and_object_stays_opaque(sample: Processed) -> None:
    assert sample.alpha.size == (800, 600)
    # The whole outer frame of the canvas is background.
    assert alpha_range_where(sample.alpha, border_region(sample.alpha.size, 10)) == (0, 0)
    # Every background pixel away from the object's edge is fully transparent ...
    far_background = shrink(ImageChops.invert(sample.object_mask), EDGE_BAND)
    assert alpha_range_where(sample.alpha, far_background) == (0, 0)
    # ... and every object pixel away from the edge is fully opaque.
    object_core = shrink(sample.object_mask, EDGE_BAND)
    assert alpha_range_where(sample.alpha, object_core) == (255, 255)


def test_sample_transparent_fraction_matches_drawn_geometry(sample: Processed) -> None:
    total = sample.alpha.width * sample.alpha.height
    expected = 1.0 - sample.layout.object_fraction()
    # Only pixels in the band around the drawn outline may disagree with the geometry, so the
    # band's share of the canvas bounds the error.
    band = ImageChops.difference(
        grow(sample.object_mask, EDGE_BAND), shrink(sample.object_mask, EDGE_BAND)
    )
    allowed = count(band) / total
    assert 0 < allowed < 0.1  # sanity: the band is a thin outline, not the whole image
    actual = transparent_fraction(sample.result)
    assert abs(actual - expected) <= allowed
    # And per pixel: transparent exactly where the geometry says background (outside the band).
    disagreement = ImageChops.difference(
        transparent_mask(sample.alpha), ImageChops.invert(sample.object_mask)
    )
    assert count(ImageChops.darker(disagreement, ImageChops.invert(band))) == 0


def test_white_detail_inside_the_object_stays_opaque(sample: Processed) -> None:
    layout = sample.layout
    logo_mask = Image.new("L", sample.alpha.size, 0)
    ImageDraw.Draw(logo_mask).ellipse(layout.logo, fill=255)
    # The logo really lies inside the silhouette, with room for the feather ramp.
    assert count(ImageChops.subtract(logo_mask, shrink(sample.object_mask, 8))) == 0
    # A global colour key would remove the logo: every logo pixel is within the default
    # tolerance (40, max-channel) of the background colour seen at the image border.
    photo = decode(sample.photo).convert("RGB")
    border_colour = photo.getpixel((2, 2))
    assert isinstance(border_colour, tuple)
    distance = ImageChops.difference(photo, Image.new("RGB", photo.size, border_colour))
    red, green, blue = distance.split()
    max_channel = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    core = shrink(logo_mask, 2)
    assert alpha_range_where(max_channel, core)[1] <= 40
    # Only the border-connected flood fill keeps it opaque.
    assert alpha_range_where(sample.alpha, core) == (255, 255)


def test_soft_edge_on_the_boundary_only(sample: Processed) -> None:
    histogram = sample.alpha.histogram()
    partial = sum(histogram[1:255])
    assert partial > 0
    partial_mask = sample.alpha.point([255 if 0 < v < 255 else 0 for v in range(256)])
    band = ImageChops.difference(
        grow(sample.object_mask, EDGE_BAND), shrink(sample.object_mask, EDGE_BAND)
    )
    assert count(ImageChops.subtract(partial_mask, band)) == 0


def test_feather_zero_gives_a_hard_edge(sample: Processed) -> None:
    hard = alpha_of(remove_background(sample.photo, feather=0))
    histogram = hard.histogram()
    assert sum(histogram[1:255]) == 0
    assert histogram[0] > 0 and histogram[255] > 0


def test_sample_photo_is_deterministic_per_seed() -> None:
    assert make_sample_product_photo(200, 150, seed=7) == make_sample_product_photo(
        200, 150, seed=7
    )
    assert make_sample_product_photo(200, 150, seed=7) != make_sample_product_photo(
        200, 150, seed=8
    )
    assert sample_product_layout(200, 150, seed=7) == sample_product_layout(200, 150, seed=7)
    assert sample_product_layout(200, 150, seed=7) != sample_product_layout(200, 150, seed=8)


# --------------------------------------------------------------------------- synthetic images


@pytest.mark.parametrize(
    ("background", "foreground", "fmt"),
    [
        pytest.param((250, 250, 250), (25, 30, 35), "PNG", id="dark-on-light"),
        pytest.param((8, 8, 10), (230, 225, 210), "JPEG", id="light-on-dark"),
    ],
)
def test_disc_on_plain_background(
    background: tuple[int, int, int], foreground: tuple[int, int, int], fmt: str
) -> None:
    size = (300, 200)
    centre, radius, inner = (150, 100), 60, 12
    disc = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    dot = (centre[0] - inner, centre[1] - inner, centre[0] + inner, centre[1] + inner)
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse(disc, fill=foreground)
    # Background-coloured and enclosed by the disc, but small (4 % of it): stays opaque.
    draw.ellipse(dot, fill=background)
    data = encode(image, fmt, **({"quality": 92} if fmt == "JPEG" else {}))

    result = remove_background(data, feather=FEATHER)
    alpha = alpha_of(result)
    object_mask = Image.new("L", size, 0)
    ImageDraw.Draw(object_mask).ellipse(disc, fill=255)

    assert alpha_range_where(alpha, border_region(size, 20)) == (0, 0)
    assert alpha_range_where(alpha, shrink(object_mask, EDGE_BAND)) == (255, 255)
    dot_mask = Image.new("L", size, 0)
    ImageDraw.Draw(dot_mask).ellipse(dot, fill=255)
    assert alpha_range_where(alpha, dot_mask) == (255, 255)

    expected = 1.0 - math.pi * radius**2 / (size[0] * size[1])
    band_fraction = 2 * math.pi * radius * (2 * EDGE_BAND) / (size[0] * size[1])
    assert abs(transparent_fraction(result) - expected) <= band_fraction

    # Walking right from the centre, alpha ramps down through intermediate values.
    row = [pixel(alpha, (x, centre[1])) for x in range(centre[0], size[0])]
    assert row[0] == 255 and row[-1] == 0
    assert any(0 < v < 255 for v in row)
    assert row == sorted(row, reverse=True)


def test_tolerance_is_max_channel_distance() -> None:
    size = (120, 90)
    image = Image.new("RGB", size, (250, 250, 250))
    # Max-channel distance 30 from the background, Euclidean distance about 52.
    ImageDraw.Draw(image).rectangle((30, 20, 90, 70), fill=(220, 220, 220))
    data = encode(image)
    assert transparent_fraction(remove_background(data, tolerance=40)) == 1.0
    assert transparent_fraction(remove_background(data, tolerance=29, feather=0)) == pytest.approx(
        1 - 61 * 51 / (120 * 90)
    )


def test_existing_transparency_counts_as_background() -> None:
    size = (100, 80)
    # Fully transparent pixels with wildly varying hidden colours (a colour key would fail).
    image = Image.linear_gradient("L").resize(size).convert("RGBA")
    image.putalpha(0)
    ImageDraw.Draw(image).rectangle((30, 20, 69, 59), fill=(200, 40, 40, 255))
    alpha = alpha_of(remove_background(encode(image), feather=0))
    assert alpha_range_where(alpha, border_region(size, 15)) == (0, 0)
    object_mask = Image.new("L", size, 0)
    ImageDraw.Draw(object_mask).rectangle((30, 20, 69, 59), fill=255)
    assert alpha_range_where(alpha, object_mask) == (255, 255)


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (60, 30), (245, 245, 245))
    ImageDraw.Draw(image).rectangle((20, 8, 40, 22), fill=(20, 20, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    result = remove_background(encode(image, "JPEG", exif=exif, quality=95))
    assert decode(result).size == (30, 60)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"])
def test_supported_formats(fmt: str) -> None:
    image = Image.new("RGB", (64, 48), (240, 240, 240))
    ImageDraw.Draw(image).rectangle((20, 12, 43, 35), fill=(30, 60, 160))
    result = remove_background(encode(image, fmt), feather=0)
    fraction = transparent_fraction(result)
    assert fraction == pytest.approx(1 - 24 * 24 / (64 * 48), abs=0.03)


def test_one_pixel_image_is_all_background() -> None:
    result = remove_background(encode(Image.new("RGB", (1, 1), (10, 20, 30))))
    assert transparent_fraction(result) == 1.0


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"this is not an image at all", id="garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="broken-png-header"),
        pytest.param(png_header_only(0, 10), id="zero-width-png"),
        pytest.param(encode(Image.new("RGB", (8, 8)), "PPM"), id="unsupported-format"),
    ],
)
def test_bad_data_raises_image_processing_error(data: bytes) -> None:
    with pytest.raises(ImageProcessingError):
        remove_background(data)
    with pytest.raises(ImageProcessingError):
        make_thumbnail(data)
    with pytest.raises(ImageProcessingError):
        transparent_fraction(data)


def test_empty_data_message() -> None:
    with pytest.raises(ImageProcessingError, match="empty"):
        remove_background(b"")


def test_truncated_image_raises() -> None:
    photo = make_sample_product_photo(200, 150, seed=1)
    with pytest.raises(ImageProcessingError, match="corrupt or truncated"):
        remove_background(photo[: len(photo) // 2])


def test_image_over_max_pixels_raises() -> None:
    data = encode(Image.new("RGB", (100, 100), (255, 255, 255)))
    with pytest.raises(ImageProcessingError, match="10000 pixels"):
        remove_background(data, max_pixels=9_999)
    remove_background(data, max_pixels=10_000)  # exactly at the limit is fine


def test_limit_is_checked_before_decoding() -> None:
    # 30000 x 1000 = 3e7 pixels declared, no real pixel data: rejected from the header alone.
    with pytest.raises(ImageProcessingError, match="more than the limit"):
        remove_background(png_header_only(30_000, 1_000), max_pixels=1_000_000)


def test_pillow_decompression_bomb_error_is_converted() -> None:
    # 2.5e9 pixels: over twice Pillow's MAX_IMAGE_PIXELS, so Pillow itself refuses in open().
    with pytest.raises(ImageProcessingError, match="decompression bomb"):
        remove_background(png_header_only(50_000, 50_000), max_pixels=10**10)


def test_pillow_decompression_bomb_warning_is_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)
    data = encode(Image.new("RGB", (80, 80)))  # 6400 pixels: only a warning for Pillow
    with pytest.raises(ImageProcessingError, match="decompression bomb"):
        remove_background(data)


def test_zero_size_image_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow's own plugins already refuse zero-size headers, so fake one to reach the check.
    def fake_open(*args: object, **kwargs: object) -> Image.Image:
        return Image.new("RGB", (0, 5))

    monkeypatch.setattr(Image, "open", fake_open)
    with pytest.raises(ImageProcessingError, match="zero size"):
        remove_background(b"anything")


def test_invalid_arguments_are_programming_errors() -> None:
    data = encode(Image.new("RGB", (10, 10)))
    with pytest.raises(ValueError):
        remove_background(data, tolerance=-1)
    with pytest.raises(ValueError):
        remove_background(data, feather=-0.5)
    with pytest.raises(TypeError):
        remove_background("not bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        make_thumbnail(data, size=0)


# --------------------------------------------------------------------------- thumbnail, fraction


def test_thumbnail_size_mode_and_transparency(sample: Processed) -> None:
    thumb = decode(make_thumbnail(sample.result, size=128))
    assert thumb.format == "PNG"
    assert thumb.mode == "RGBA"
    assert thumb.size == (128, 96)  # 800x600 scaled to longest side 128
    alpha = thumb.getchannel("A")
    assert pixel(alpha, (0, 0)) == 0
    left, top, right, bottom = sample.layout.heel
    centre = ((left + right) // 2 * 128 // 800, (top + bottom) // 2 * 96 // 600)
    assert pixel(alpha, centre) == 255
    assert transparent_fraction(encode(thumb)) == pytest.approx(
        transparent_fraction(sample.result), abs=0.02
    )


def test_thumbnail_of_portrait_image() -> None:
    colour = (200, 100, 50, 128)
    thumb = decode(make_thumbnail(encode(Image.new("RGBA", (300, 1000), colour))))
    assert thumb.size == (77, 256)
    assert thumb.mode == "RGBA"
    value = thumb.getpixel((10, 10))
    assert isinstance(value, tuple)
    assert value[3] == 128  # partial transparency survives
    assert all(abs(a - b) <= 2 for a, b in zip(value, colour, strict=True))


def test_transparent_fraction_threshold() -> None:
    image = Image.new("RGBA", (4, 1), (0, 0, 0, 255))
    for x, a in enumerate([0, 15, 16, 255]):
        image.putpixel((x, 0), (0, 0, 0, a))
    assert transparent_fraction(encode(image)) == 0.5
    assert transparent_fraction(encode(Image.new("RGB", (5, 5)))) == 0.0


# --------------------------------------------------------------------------- enclosed regions


def studio_photo(
    width: int, height: int, draw_object: Callable[[ImageDraw.ImageDraw], None], seed: int = 0
) -> tuple[bytes, Image.Image]:
    """A JPEG of an object (drawn white on the mask) on a studio backdrop with vignette and
    noise, like the sample photo; returns the photo and the object's mask."""
    rng = random.Random(seed)
    mask = Image.new("L", (width, height), 0)
    draw_object(ImageDraw.Draw(mask))
    photo = Image.new("RGB", (width, height), (238, 236, 231))
    vignette = Image.radial_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    vignette = vignette.point([v * 12 // 255 for v in range(256)])
    photo = ImageChops.subtract(photo, Image.merge("RGB", (vignette,) * 3))
    photo.paste(Image.new("RGB", (width, height), (30, 60, 140)), (0, 0), mask)
    photo = photo.filter(ImageFilter.GaussianBlur(0.7))
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    noise = noise.point([v * 11 // 256 for v in range(256)])
    photo = ImageChops.add(photo, Image.merge("RGB", (noise,) * 3), 1.0, -5)
    return encode(photo, "JPEG", quality=90), mask


def draw_mug(draw: ImageDraw.ImageDraw, fill: int = 255) -> None:
    """A mug (400x300 canvas): a body and a ring handle whose inside shows the backdrop."""
    draw.rounded_rectangle((100, 60, 240, 255), radius=12, fill=fill)
    draw.ellipse((200, 90, 320, 216), fill=fill)
    draw.ellipse((218, 108, 302, 198), fill=0)  # the handle's hole ...
    draw.rounded_rectangle((100, 60, 240, 255), radius=12, fill=fill)  # ... behind the body


def mug_hole() -> Image.Image:
    hole = Image.new("L", (400, 300), 0)
    ImageDraw.Draw(hole).ellipse((218, 108, 302, 198), fill=255)
    ImageDraw.Draw(hole).rectangle((0, 0, 240, 299), fill=0)  # the part not behind the body
    return hole


def test_mug_handle_hole_becomes_background() -> None:
    photo, mask = studio_photo(400, 300, draw_mug)
    hole = mug_hole()
    assert count(ImageChops.darker(hole, mask)) == 0  # the hole is no part of the object
    # The hole is enclosed: no path of backdrop pixels joins it to the border.
    assert count(hole) > 0.05 * count(mask)
    alpha = cut_out(photo).getchannel("A")
    assert alpha_range_where(alpha, shrink(hole, EDGE_BAND)) == (0, 0)
    assert alpha_range_where(alpha, shrink(mask, EDGE_BAND)) == (255, 255)
    assert alpha_range_where(alpha, border_region(alpha.size, 10)) == (0, 0)


def test_enclosed_regions_stay_opaque_when_holes_are_disabled() -> None:
    photo, _ = studio_photo(400, 300, draw_mug)
    alpha = cut_out(photo, min_hole_fraction=1.0).getchannel("A")
    assert alpha_range_where(alpha, shrink(mug_hole(), EDGE_BAND)) == (255, 255)


@pytest.mark.parametrize("seed", [0, 29, 37])  # the seeds whose logo is closest to the backdrop
def test_sample_logo_stays_opaque_for_every_close_seed(seed: int) -> None:
    layout = sample_product_layout(320, 240, seed=seed)
    logo = Image.new("L", (320, 240), 0)
    ImageDraw.Draw(logo).ellipse(layout.logo, fill=255)
    alpha = cut_out(make_sample_product_photo(320, 240, seed=seed)).getchannel("A")
    assert alpha_range_where(alpha, shrink(logo, 2)) == (255, 255)


def _big_enclosed_patch(fill: Callable[[Image.Image], None]) -> tuple[bytes, Image.Image]:
    """A dark 400x300 object with a large enclosed patch (a third of it) painted by *fill*."""
    image = Image.new("RGB", (400, 300), (240, 240, 240))
    ImageDraw.Draw(image).rectangle((80, 50, 320, 250), fill=(25, 30, 40))
    patch = Image.new("RGB", (120, 100))
    fill(patch)
    image.paste(patch, (140, 100))
    region = Image.new("L", (400, 300), 0)
    ImageDraw.Draw(region).rectangle((140, 100, 259, 199), fill=255)
    return encode(image), region


def test_large_enclosed_region_off_the_backdrop_colour_stays_opaque() -> None:
    # 14 levels lighter than the backdrop: a candidate (tolerance 40), not a hole (8).
    data, region = _big_enclosed_patch(
        lambda patch: patch.paste((254, 254, 254), (0, 0, *patch.size))
    )
    assert alpha_range_where(cut_out(data).getchannel("A"), shrink(region, 4)) == (255, 255)
    # The same patch in the backdrop's exact colour is a hole.
    data, region = _big_enclosed_patch(
        lambda patch: patch.paste((240, 240, 240), (0, 0, *patch.size))
    )
    assert alpha_range_where(cut_out(data).getchannel("A"), shrink(region, 4)) == (0, 0)


def test_large_textured_enclosed_region_stays_opaque() -> None:
    # Stripes of 225 and 255: the mean matches the backdrop (240), the texture does not.
    def stripes(patch: Image.Image) -> None:
        draw = ImageDraw.Draw(patch)
        for x in range(0, patch.width, 2):
            draw.line((x, 0, x, patch.height), fill=(225, 225, 225))
            draw.line((x + 1, 0, x + 1, patch.height), fill=(255, 255, 255))

    data, region = _big_enclosed_patch(stripes)
    assert alpha_range_where(cut_out(data).getchannel("A"), shrink(region, 4)) == (255, 255)


# --------------------------------------------------------------------------- template outputs

RED = (200, 30, 30)


def simple_cutout() -> Image.Image:
    """A 200x100 cut-out: transparent, with an opaque red 100x60 box at (50, 20)."""
    image = Image.new("RGBA", (200, 100), (240, 240, 240, 0))
    ImageDraw.Draw(image).rectangle((50, 20, 149, 79), fill=(*RED, 255))
    return image


def rendered(spec: OutputSpec) -> Image.Image:
    output = render_output(simple_cutout(), spec)
    image = decode(output.data)
    assert output.extension == spec.extension
    assert output.content_type == spec.content_type
    return image


def close_to(value: object, colour: tuple[int, ...], slack: int = 3) -> bool:
    assert isinstance(value, tuple)
    return all(abs(a - b) <= slack for a, b in zip(value, colour, strict=False))


def opaque_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    alpha = image.getchannel("A")
    return alpha.point([255 if v >= 128 else 0 for v in range(256)]).getbbox()


def test_default_output_is_the_transparent_png_cut_out() -> None:
    image = rendered(OutputSpec())
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (200, 100))
    assert pixel(image.getchannel("A"), (0, 0)) == 0
    assert opaque_box(image) == (50, 20, 150, 80)
    assert render_output(simple_cutout(), OutputSpec())[1:] == ("image/png", "png")


@pytest.mark.parametrize("fmt", ["JPG", "JPEG"])
def test_jpg_is_flattened_on_the_background_colour(fmt: str) -> None:
    image = rendered(OutputSpec(output_format=fmt, background_color=(10, 200, 30)))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (200, 100))
    assert close_to(image.getpixel((3, 3)), (10, 200, 30))
    assert close_to(image.getpixel((100, 50)), RED)
    assert OutputSpec(output_format=fmt).extension == "jpg"


def test_colour_background_type_paints_a_png_too() -> None:
    image = rendered(OutputSpec(background_type=BACKGROUND_COLOUR, background_color=(0, 0, 255)))
    assert (image.format, image.mode) == ("PNG", "RGB")
    assert image.getpixel((0, 0)) == (0, 0, 255)
    assert image.getpixel((100, 50)) == RED


def test_vertical_gradient_background() -> None:
    spec = OutputSpec(
        output_format="PNG",
        background_type=BACKGROUND_GRADIENT,
        background_color=(255, 255, 255),
        background_vertical_gradient_color=(0, 0, 0),
    )
    image = rendered(spec)
    assert close_to(image.getpixel((5, 0)), (255, 255, 255), 4)
    assert close_to(image.getpixel((5, 99)), (0, 0, 0), 4)
    middle = image.getpixel((5, 50))
    assert isinstance(middle, tuple) and 100 < middle[0] < 155


@pytest.mark.parametrize("fmt", ["TIF", "TIFF"])
def test_tiff_keeps_transparency(fmt: str) -> None:
    image = rendered(OutputSpec(output_format=fmt))
    assert (image.format, image.mode, image.size) == ("TIFF", "RGBA", (200, 100))
    assert pixel(image.getchannel("A"), (0, 0)) == 0
    assert opaque_box(image) == (50, 20, 150, 80)
    tiff = OutputSpec(output_format=fmt)
    assert (tiff.extension, tiff.content_type) == ("tif", "image/tiff")


def test_psd_is_a_flat_photoshop_file_with_the_mask_as_alpha_channel() -> None:
    output = render_output(simple_cutout(), OutputSpec(output_format="PSD"))
    assert output.data[:6] == b"8BPS\x00\x01"
    assert (output.content_type, output.extension) == ("image/vnd.adobe.photoshop", "psd")
    image = Image.open(io.BytesIO(output.data))
    image.load()
    assert (image.format, image.mode, image.size) == ("PSD", "RGBA", (200, 100))
    assert image.getpixel((0, 0)) == (255, 255, 255, 0)  # composite on the white matte
    assert image.getpixel((100, 50)) == (*RED, 255)
    painted = Image.open(
        io.BytesIO(
            render_output(
                simple_cutout(), OutputSpec(output_format="PSD", background_type=BACKGROUND_COLOUR)
            ).data
        )
    )
    assert painted.mode == "RGB"


@pytest.mark.parametrize(
    ("alignment", "top"),
    [(ALIGN_MIDDLE, 230), (ALIGN_TOP, 50), (ALIGN_BOTTOM, 410)],
)
def test_canvas_resize_with_percent_margins_and_alignment(alignment: int, top: int) -> None:
    spec = OutputSpec(
        resize_type=RESIZE_CANVAS,
        resize_width=1000,
        resize_height=1000,
        margin_type=MARGIN_PERCENT,
        margin_top=5,
        margin_bottom=5,
        margin_left=5,
        margin_right=5,
        margin_vertical_alignment=alignment,
    )
    image = rendered(spec)
    assert image.size == (1000, 1000)
    # The 100x60 object fills the 900x900 box inside the margins across: 900x540.
    assert opaque_box(image) == (50, top, 950, top + 540)
    assert pixel(image.getchannel("A"), (500, 10)) == 0


def test_canvas_taller_than_the_object_centres_it_horizontally() -> None:
    spec = OutputSpec(
        resize_type=RESIZE_CANVAS,
        resize_width=300,
        resize_height=300,
        margin_type=MARGIN_PIXELS,
        margin_top=0,
        margin_bottom=120,  # the box inside is 300x180: the height limits the object
    )
    # The 100x60 object is scaled to 300x180: it fills the box exactly.
    assert opaque_box(rendered(spec)) == (0, 0, 300, 180)
    spec = OutputSpec(resize_type=RESIZE_CANVAS, resize_width=300, resize_height=90)
    # No margins: the whole 200x100 cut-out is scaled into 300x90 (180x90), centred.
    image = rendered(spec)
    assert image.size == (300, 90)
    assert opaque_box(image) == (105, 18, 195, 72)


def test_pixel_margins_without_resize_crop_to_the_object() -> None:
    spec = OutputSpec(
        margin_type=MARGIN_PIXELS, margin_top=10, margin_bottom=20, margin_left=30, margin_right=40
    )
    image = rendered(spec)
    assert image.size == (170, 90)
    assert opaque_box(image) == (30, 10, 130, 70)


def test_percent_margins_without_resize() -> None:
    spec = OutputSpec(
        margin_type=MARGIN_PERCENT, margin_top=0, margin_bottom=25, margin_left=10, margin_right=10
    )
    image = rendered(spec)
    # 100 px is 80 % of the width (125), 60 px is 75 % of the height (80).
    assert image.size == (125, 80)
    box = opaque_box(image)
    assert box is not None and abs(box[0] - 12.5) <= 1 and box[1] == 0 and box[3] == 60


def test_fit_resize_keeps_the_aspect_ratio() -> None:
    assert rendered(OutputSpec(resize_type=RESIZE_FIT, resize_width=50)).size == (50, 25)
    assert rendered(
        OutputSpec(resize_type=RESIZE_FIT, resize_width=500, resize_height=100)
    ).size == (200, 100)
    assert rendered(
        OutputSpec(resize_type=RESIZE_FIT, resize_width=500, resize_height=150)
    ).size == (300, 150)


def test_resize_in_percent_of_the_input() -> None:
    spec = OutputSpec(
        resize_type=RESIZE_CANVAS, resize_unit=UNIT_PERCENT, resize_width=50, resize_height=50
    )
    assert rendered(spec).size == (100, 50)


def test_max_and_min_size_bound_the_longest_side() -> None:
    assert rendered(OutputSpec(resize_max_size=80)).size == (80, 40)
    assert rendered(OutputSpec(resize_min_size=400)).size == (400, 200)
    assert rendered(OutputSpec(resize_min_size=100, resize_max_size=150)).size == (150, 75)
    assert rendered(OutputSpec(resize_min_size=100, resize_max_size=300)).size == (200, 100)


def test_impossible_templates_raise_image_processing_error() -> None:
    with pytest.raises(ImageProcessingError, match="margins leave no room"):
        render_output(simple_cutout(), OutputSpec(margin_type=MARGIN_PERCENT, margin_top=100))
    with pytest.raises(ImageProcessingError, match="margins leave no room"):
        render_output(
            simple_cutout(),
            OutputSpec(
                resize_type=RESIZE_CANVAS,
                resize_width=100,
                resize_height=100,
                margin_type=MARGIN_PIXELS,
                margin_left=60,
                margin_right=60,
            ),
        )
    with pytest.raises(ImageProcessingError, match="more than the limit"):
        render_output(
            simple_cutout(),
            OutputSpec(resize_type=RESIZE_CANVAS, resize_width=100000, resize_height=100000),
        )


def test_output_spec_from_a_stored_template() -> None:
    spec = OutputSpec.from_template(
        {
            "output_format": "tiff",
            "background_type": "2",
            "background_color": "#0a0B0c",
            "background_vertical_gradient_color": "",
            "resize_type": 1,
            "resize_width": 1000,
            "resize_height": None,
            "margin_type": "x",
        }
    )
    assert (spec.output_format, spec.extension, spec.background_type) == ("TIFF", "tif", 2)
    assert spec.background_color == (10, 11, 12)
    assert spec.background_vertical_gradient_color is None
    assert (spec.resize_type, spec.resize_width, spec.resize_height, spec.margin_type) == (
        1,
        1000,
        0,
        0,
    )
    empty = OutputSpec.from_template({})  # AddTemplate's defaults: JPG on white
    assert (empty.extension, empty.background_color, empty.transparent) == (
        "jpg",
        (255, 255, 255),
        False,
    )
    assert OutputSpec.from_template({"output_format": "GIF"}).output_format == "JPG"
    with pytest.raises(ValueError, match="output_format"):
        OutputSpec(output_format="GIF")
    with pytest.raises(ValueError, match="margin_top"):
        OutputSpec(margin_top=-1)


def test_thumbnail_of_a_composed_image_keeps_its_mode() -> None:
    opaque = compose_output(simple_cutout(), OutputSpec(output_format="JPG"))
    thumb = decode(make_thumbnail(opaque, size=50))
    assert (thumb.format, thumb.mode, thumb.size) == ("PNG", "RGB", (50, 25))
    transparent = compose_output(simple_cutout(), OutputSpec())
    assert decode(make_thumbnail(transparent, size=50)).mode == "RGBA"
