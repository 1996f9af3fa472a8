"""One naming scheme for results: ``name=`` patterns, their fields, the default, refusals
before anything is sent, and the batch's downloads (named, mirrored into folders)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path, PurePosixPath

import pytest
from PIL import Image

from removethebackground import (
    Batch,
    DownloadError,
    InvalidParameterError,
    SandboxUploader,
    download,
)
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows.download import (
    DEFAULT_NAME,
    NAME_FIELDS,
    check_name,
    result_name,
)
from support.workflows import FileServer, serve

TICKET = uuid.UUID("fe7b7e4b-d5a9-488e-ab3a-c8872e6b854b")


def _png(seed: int = 0) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((32, 32), 40 + seed).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _status(urls: list[str], thumb: str | None = None, **fields: str) -> pixelz.ImageStatus:
    return pixelz.ImageStatus(
        image_ticket=TICKET,
        status_id=80,
        is_paid=True,
        final_images_url=list(urls),
        thumbnail_image_url=thumb,
        **fields,  # type: ignore[arg-type]
    )


# --- the fields ------------------------------------------------------------------------------


def test_every_field_and_the_default() -> None:
    assert DEFAULT_NAME == "{stem}-{ticket8}.{ext}"
    assert NAME_FIELDS == ("stem", "ticket", "ticket8", "customer_image_id", "product_id", "ext")
    status = _status([], customer_image_id="shoe-1", product_id="summer")
    url = "https://cdn.example/out/x.PNG?sig=1"

    def name(pattern: str | None, source: str | None = "photos/blue shoe.jpg") -> str:
        return str(result_name(status, name=pattern, source=source, url=url))

    assert name(None) == "blue-shoe-fe7b7e4b.png"
    assert name("{ticket}.{ext}") == f"{TICKET}.png"
    assert name("{customer_image_id}_{product_id}.{ext}") == "shoe-1_summer.png"
    assert str(result_name(_status([]), name="{customer_image_id}.{ext}", url=url)) == (
        f"{TICKET}.png"  # no customer image id: the ticket
    )
    assert name("{product_id}/{stem}.{ext}") == "summer/blue-shoe.png"
    # {stem}: the photo (a file or a URL), else the customer image id, else "image".
    assert name(None, "https://shop.example/img/red%20boot.webp?x=1") == "red-20boot-fe7b7e4b.png"
    assert name(None, None) == "shoe-1-fe7b7e4b.png"
    bare = _status([])
    assert str(result_name(bare, url=url)) == "image-fe7b7e4b.png"
    # A name without fields is a fixed stem, as name= was before patterns.
    assert name("shoe") == "shoe.png"


def test_suffixes_empty_fields_and_unsafe_values() -> None:
    url = "https://cdn.example/out/x.jpg"
    status = _status([], product_id="../../etc/passwd", customer_image_id="a/b\\c")
    # Values are one file-name-safe component each: they never make or leave folders.
    named = result_name(status, name="{product_id}/{customer_image_id}.{ext}", url=url)
    assert named == PurePosixPath("etc-passwd/a-b-c.jpg")
    # The second final and the thumbnail: a suffix before the extension.
    assert str(result_name(status, source="a.jpg", url=url, suffix="-2")) == "a-fe7b7e4b-2.jpg"
    assert str(result_name(status, source="a.jpg", url=url, suffix="-thumb")) == (
        "a-fe7b7e4b-thumb.jpg"
    )
    fixed = result_name(status, name="{ticket8}.png", url=url, suffix="-2")
    assert str(fixed) == "fe7b7e4b-2.png"
    # A URL without a known extension: no extension and no dot.
    assert str(result_name(status, source="a.jpg", url="https://cdn.example/out/x")) == (
        "a-fe7b7e4b"
    )
    # A folder that comes out empty is left out.
    plain = _status([])
    assert str(result_name(plain, name="{product_id}/{stem}.{ext}", source="a.jpg", url=url)) == (
        "a.jpg"
    )


@pytest.mark.parametrize(
    ("pattern", "says", "fix"),
    [
        ("{stme}-{ticket8}.{ext}", "unknown field {stme}", "did you mean {stem}?"),
        ("{colour}.{ext}", "unknown field {colour}", "the fields are {stem}, {ticket}"),
        ("../{stem}.{ext}", "uses '..' as a folder", "below the folder"),
        ("a/../../{stem}.{ext}", "uses '..' as a folder", "below the folder"),
        ("/tmp/{stem}.{ext}", "absolute path", "below the folder"),
        ("a\\{stem}.{ext}", "backslash", "use '/'"),
        ("", "is empty", DEFAULT_NAME),
        ("  ", "is empty", DEFAULT_NAME),
        ("{product_id}.{ext}", "empty file name", "add {stem} or {ticket8}"),
        ("{product_id}", "empty file name", "add {stem} or {ticket8}"),
        ("{stem}/{ext}", "empty file name", "add {stem} or {ticket8}"),
        ("{ticket!r}.{ext}", "formats the field {ticket}", "{ticket8}"),
        ("{ticket:.8}.{ext}", "formats the field {ticket}", "{ticket8}"),
        ("{stem.__class__}", "unknown field", "the fields are"),
        ("{stem", "unbalanced", "'{{'"),
        ("a\x00b", "control character", "'/'"),
    ],
)
def test_bad_patterns_are_refused_naming_parameter_value_and_fix(
    pattern: str, says: str, fix: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_name(pattern)
    assert info.value.parameter == "name"
    text = str(info.value)
    assert says in text and fix in text
    if pattern.strip():
        assert repr(pattern) in text


def test_download_refuses_a_bad_name_before_asking_anything(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    before = len(sandbox.requests_log())
    with pytest.raises(InvalidParameterError, match=r"name: '\{nope\}\.\{ext\}'"):
        download(TICKET, tmp_path, client=sandbox.pixelz_client(), name="{nope}.{ext}")
    assert len(sandbox.requests_log()) == before
    assert list(tmp_path.iterdir()) == []


def test_download_names_every_result_and_makes_the_pattern_folders(tmp_path: Path) -> None:
    files = FileServer(files={"/r0.png": _png(0), "/r1.png": _png(1), "/t.png": _png(2)})
    with serve(files) as base:
        status = _status(
            [f"{base}/r0.png", f"{base}/r1.png"], thumb=f"{base}/t.png", product_id="p 1"
        )
        paths = download(status, tmp_path, thumbnail=True, source="/photos/shoe.jpg")
        assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
            "shoe-fe7b7e4b.png",
            "shoe-fe7b7e4b-2.png",
            "shoe-fe7b7e4b-thumb.png",
        ]
        nested = download(status, tmp_path, name="{product_id}/{ticket}.{ext}")
        assert nested[0] == tmp_path / "p-1" / f"{TICKET}.png"
        assert nested[0].read_bytes() == files.files["/r0.png"]
        # Without {ext} the suffixes still tell the results apart.
        plain = download(status, tmp_path / "x", name="{ticket8}", thumbnail=True)
        assert [p.name for p in plain] == ["fe7b7e4b", "fe7b7e4b-2", "fe7b7e4b-thumb"]


# --- the batch's downloads -------------------------------------------------------------------


def test_batch_downloads_use_the_scheme_and_folders(sandbox: SandboxHandle, tmp_path: Path) -> None:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    for n, sub in enumerate(("shoes", "bags", "hats")):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "a.jpg").write_bytes(make_sample_product_photo(64, 48, seed=n))
    manifest = [
        {"image": str(tmp_path / "in" / sub / "a.jpg"), "customer_image_id": f"id-{sub}"}
        for sub in ("shoes", "bags", "hats")
    ]
    client = sandbox.pixelz_client()
    with Batch(tmp_path / "j", client, uploader=SandboxUploader(sandbox.url)) as batch:
        batch.submit([dict(r, template_id="1001") for r in manifest])
        batch.wait(poll=3.0, clock=sandbox.clock.now, sleep=sandbox.advance)
        with pytest.raises(InvalidParameterError, match="name"):
            batch.download(tmp_path / "out", name="{nope}")
        assert not (tmp_path / "out").exists()
        folders = {"id-shoes": "shoes", "id-bags": "bags/small"}  # hats: not now
        paths = batch.download(
            tmp_path / "out", folder=lambda row: folders.get(row.customer_image_id)
        )
        rows = {r.customer_image_id: r for r in batch.rows()}
        short = {cid: str(r.ticket)[:8] for cid, r in rows.items()}
        assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in paths) == [
            f"bags/small/a-{short['id-bags']}.jpg",
            f"shoes/a-{short['id-shoes']}.jpg",
        ]
        assert rows["id-hats"].paths == ()  # left for a later download
        with pytest.raises(InvalidParameterError, match="folder"):
            batch.download(tmp_path / "out", folder=lambda row: "../up")
        later = batch.download(tmp_path / "flat", name="{customer_image_id}.{ext}")
        assert [p.name for p in later] == ["id-hats.jpg"]


def test_images_named_alike_in_one_run_are_refused_not_mixed_up(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    (tmp_path / "in").mkdir()
    for n, name in enumerate(("a.jpg", "a.png")):  # one stem, two photos
        (tmp_path / "in" / name).write_bytes(make_sample_product_photo(64, 48, seed=n))
    manifest = [
        {"image": str(tmp_path / "in" / n), "template_id": "1001"} for n in ("a.jpg", "a.png")
    ]
    with Batch(
        tmp_path / "j", sandbox.pixelz_client(), uploader=SandboxUploader(sandbox.url)
    ) as batch:
        batch.submit(manifest)
        batch.wait(poll=3.0, clock=sandbox.clock.now, sleep=sandbox.advance)
        with pytest.raises(DownloadError, match=r"1 image\(s\).*names them alike; add \{ticket8\}"):
            batch.download(tmp_path / "out", name="{stem}.{ext}", concurrency=1)
        # Downloads go soonest-to-expire first, so either row may take the name.
        rows = list(batch.rows())
        named = [r for r in rows if r.paths]
        assert [r.paths for r in named] == [(str(tmp_path / "out" / "a.jpg"),)]
        (second,) = [r for r in rows if not r.paths]
        assert second.error is not None and "a.jpg" in second.error
        # With the default the two are told apart.
        rest = batch.download(tmp_path / "out")
        assert [p.name for p in rest] == [f"a-{str(second.ticket)[:8]}.jpg"]
