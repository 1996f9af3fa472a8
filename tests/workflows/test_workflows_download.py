"""download: atomic, resumable, capped, verified, bounded-concurrent; submit and the uploaders.

download and submit run in both forms: the sync functions on a sync client,
``workflows.aio`` on an async client."""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from removethebackground import (
    DownloadError,
    InvalidParameterError,
    PresignedPutUploader,
    SandboxUploader,
    UploadError,
)
from removethebackground.generated import legacy, pixelz
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows import aio
from support.forms import ASYNC, Form, forms
from support.workflows import FileServer, serve


def _png(size: int = 64, seed: int = 0) -> bytes:
    image = Image.effect_noise((size, size), 40 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _delivered(urls: list[str], thumb: str | None = None) -> pixelz.ImageStatus:
    return pixelz.ImageStatus(
        image_ticket=uuid.UUID(int=7),
        status_id=80,
        is_paid=True,
        final_images_url=list(urls),
        thumbnail_image_url=thumb,
    )


TICKET = str(uuid.UUID(int=7))
#: The default name of its results: no source and no customer image id, so "image".
NAME = f"image-{TICKET[:8]}"


def _download(form: Form, *args: Any, **kwargs: Any) -> list[Path]:
    paths: list[Path] = form.run(lambda: form.download(*args, **kwargs))
    return paths


@forms
def test_round_trip_with_the_sandbox_by_ticket_and_both_generations(
    sandbox: SandboxHandle, tmp_path: Path, form: Form
) -> None:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    photo = tmp_path / "shoe photo.jpg"
    photo.write_bytes(make_sample_product_photo(160, 120, seed=2))

    async def scenario() -> tuple[uuid.UUID, list[Path], list[Path]]:
        async with form.client(sandbox) as client, form.client(sandbox, "legacy") as old_client:
            ticket = await form.submit(
                client,
                photo,
                uploader=SandboxUploader(sandbox.url),
                template_id="1001",
                customer_image_id="s1",
            )
            await form.wait_for(
                client, ticket, poll=3.0, clock=sandbox.clock.now, sleep=sandbox.advance
            )
            paths = await form.download(ticket, tmp_path / "out", client=client, thumbnail=True)
            old = await form.download(ticket, tmp_path / "legacy", client=old_client, name="shoe")
            return ticket, paths, old

    ticket, paths, old = form.run(scenario)
    # Template 1001 delivers a JPG on white (the thumbnail is always a PNG).
    short = str(ticket)[:8]  # {stem} is the customer image id when the photo is not known
    assert [p.name for p in paths] == [f"s1-{short}.jpg", f"s1-{short}-thumb.png"]
    with Image.open(paths[0]) as cut:
        assert cut.mode == "RGB" and cut.size == (160, 120)
    assert [p.name for p in old] == ["shoe.jpg"]
    assert old[0].read_bytes() == paths[0].read_bytes()
    assert not list((tmp_path / "out").glob(".*.part"))


@forms
def test_several_finals_are_fetched_at_once_with_bounded_concurrency(
    tmp_path: Path, form: Form
) -> None:
    files = FileServer(files={f"/r{i}.png": _png(seed=i) for i in range(6)}, delay=0.15)
    with serve(files, threads=8) as base:
        status = _delivered([f"{base}/r{i}.png" for i in range(5)], thumb=f"{base}/r5.png")
        paths = _download(form, status, tmp_path, thumbnail=True, concurrency=2)
    assert [p.name for p in paths] == [
        f"{NAME}{s}.png" for s in ("", "-2", "-3", "-4", "-5", "-thumb")
    ]
    assert [p.read_bytes() for p in paths] == [files.files[f"/r{i}.png"] for i in range(6)]
    assert files.peak == 2


@forms
def test_a_complete_file_is_not_fetched_again(tmp_path: Path, form: Form) -> None:
    files = FileServer(files={"/a.png": _png()})
    with serve(files) as base:
        status = _delivered([f"{base}/a.png"])
        first = _download(form, status, tmp_path)
        second = _download(form, status, tmp_path)
    assert first == second
    assert len(files.requests) == 1


@forms
def test_an_interrupted_download_is_resumed_with_range(tmp_path: Path, form: Form) -> None:
    data = _png(256)
    files = FileServer(files={"/a.png": data}, cut_after={"/a.png": len(data) // 2})
    with serve(files) as base:
        status = _delivered([f"{base}/a.png"])
        with pytest.raises(DownloadError, match="partial file is kept"):
            _download(form, status, tmp_path)
        part = tmp_path / f".{NAME}.png.part"
        assert 0 < part.stat().st_size < len(data)
        assert not (tmp_path / f"{NAME}.png").exists()  # nothing half-written under the name
        kept = part.stat().st_size
        (path,) = _download(form, status, tmp_path)
    assert path.read_bytes() == data
    assert files.requests[-1] == ("GET", "/a.png", f"bytes={kept}-")
    assert not part.exists()


@forms
def test_a_server_without_range_support_restarts_the_download(tmp_path: Path, form: Form) -> None:
    data = _png(128)
    files = FileServer(files={"/a.png": data}, ranges=False)
    (tmp_path / f".{NAME}.png.part").write_bytes(b"garbage that is not the start")
    with serve(files) as base:
        (path,) = _download(form, _delivered([f"{base}/a.png"]), tmp_path)
    assert path.read_bytes() == data
    assert files.requests[0][2] is not None  # it asked for a range and got the whole file


@forms
@pytest.mark.parametrize("send_length", [True, False])
def test_the_size_cap_holds_with_and_without_content_length(
    tmp_path: Path, send_length: bool, form: Form
) -> None:
    data = _png(256)
    files = FileServer(files={"/a.png": data}, send_length=send_length)
    with serve(files) as base:
        with pytest.raises(DownloadError, match="max_bytes"):
            _download(form, _delivered([f"{base}/a.png"]), tmp_path, max_bytes=len(data) - 1)
        assert list(tmp_path.iterdir()) == []
        (path,) = _download(form, _delivered([f"{base}/a.png"]), tmp_path, max_bytes=len(data))
    assert path.stat().st_size == len(data)


@forms
def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path, form: Form) -> None:
    files = FileServer(files={"/a.png": b"<html>login page</html>"})
    with serve(files) as base:
        with pytest.raises(DownloadError, match="not a decodable image"):
            _download(form, _delivered([f"{base}/a.png"]), tmp_path)
        assert list(tmp_path.iterdir()) == []
        (path,) = _download(form, _delivered([f"{base}/a.png"]), tmp_path, verify_images=False)
    assert path.read_bytes() == b"<html>login page</html>"


@forms
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/a.png", "javascript:x", "http://"]
)
def test_only_http_urls_are_fetched(tmp_path: Path, url: str, form: Form) -> None:
    with pytest.raises(DownloadError, match="non-http"):
        _download(form, _delivered([url]), tmp_path)
    assert list(tmp_path.iterdir()) == []


@forms
def test_an_image_that_is_not_delivered_or_has_no_url_is_refused(
    tmp_path: Path, form: Form
) -> None:
    status = pixelz.ImageStatus(image_ticket=uuid.UUID(int=7), status_id=60, is_paid=False)
    with pytest.raises(DownloadError, match="In Production, not delivered"):
        _download(form, status, tmp_path)
    with pytest.raises(DownloadError, match="no final image URL"):
        _download(form, _delivered([]), tmp_path)
    with pytest.raises(DownloadError, match="not delivered"):
        _download(form, legacy.ImageStatus(image_ticket=uuid.UUID(int=7), status_id=2), tmp_path)
    with pytest.raises(InvalidParameterError, match="client"):
        _download(form, uuid.UUID(int=7), tmp_path)
    with pytest.raises(InvalidParameterError, match="name"):
        _download(form, _delivered(["http://127.0.0.1:9/a.png"]), tmp_path, name="../x")
    with pytest.raises(DownloadError, match="HTTP 404"):
        with serve(FileServer()) as base:
            _download(form, _delivered([f"{base}/missing.png"]), tmp_path)


def test_an_async_download_fetches_the_files_of_one_image_as_tasks(tmp_path: Path) -> None:
    # Five files served after 0.3 s each, five at once: about 0.3 s, not 1.5 s, and on the
    # one thread of the loop (no pool of threads as the sync form has).
    files = FileServer(files={f"/r{i}.png": _png(seed=i) for i in range(5)}, delay=0.3)
    with serve(files, threads=8) as base:
        status = _delivered([f"{base}/r{i}.png" for i in range(5)])
        before = threading.active_count()
        seen: list[int] = []

        async def scenario() -> list[Path]:
            task = asyncio.ensure_future(aio.download(status, tmp_path, concurrency=5))
            while not task.done():
                seen.append(threading.active_count())
                await asyncio.sleep(0.02)
            return task.result()

        paths = asyncio.run(scenario())
    assert len(paths) == 5 and files.peak == 5
    # The last step of each file (fsync, the image check, the rename) runs in a worker
    # thread; the fetching itself starts none.
    assert max(seen[:5]) == before


def test_a_cancelled_async_download_keeps_its_part_and_resumes(tmp_path: Path) -> None:
    data = _png(256)
    files = FileServer(files={"/a.png": data}, cut_after={"/a.png": len(data) // 2})
    with serve(files) as base:
        status = _delivered([f"{base}/a.png"])
        with pytest.raises(DownloadError):
            asyncio.run(aio.download(status, tmp_path))
        files.cut_after.clear()
        files.delay = 5.0

        async def cancelled() -> None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.3):
                    await aio.download(status, tmp_path)

        asyncio.run(cancelled())
        part = tmp_path / f".{NAME}.png.part"
        assert 0 < part.stat().st_size < len(data)
        files.delay = 0.0
        (path,) = asyncio.run(aio.download(status, tmp_path))
    assert path.read_bytes() == data


@forms
def test_the_environments_proxy_is_used(
    tmp_path: Path, form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    # images.invalid does not resolve: the file comes through the proxy or not at all.
    proxy = FileServer(files={"/a.png": _png()})
    with serve(proxy) as base:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", base)
        monkeypatch.setenv("http_proxy", base)
        (path,) = _download(form, _delivered(["http://images.invalid/a.png"]), tmp_path)
    assert path.read_bytes() == proxy.files["/a.png"]
    assert proxy.requests == [("GET", "/a.png", None)]


def test_an_async_download_uses_the_callers_session_and_leaves_it_open(tmp_path: Path) -> None:
    import aiohttp

    files = FileServer(files={"/a.png": _png()})
    with serve(files) as base:

        async def scenario() -> tuple[list[Path], bool]:
            async with aiohttp.ClientSession(headers={"X-Shop": "1"}) as session:
                paths = await aio.download(_delivered([f"{base}/a.png"]), tmp_path, session=session)
                return paths, session.closed

        paths, closed = asyncio.run(scenario())
    assert not closed and paths[0].read_bytes() == files.files["/a.png"]


# --- submit and uploaders -------------------------------------------------------------------


@forms
def test_submit_sends_a_url_straight_to_add_image_to_queue(
    sandbox: SandboxHandle, form: Form
) -> None:
    async def scenario() -> uuid.UUID:
        async with form.client(sandbox) as client:
            ticket: uuid.UUID = await form.submit(
                client, "http://127.0.0.1:9/x.jpg", template_id="1001", product_id="p"
            )
            return ticket

    row = sandbox.image(form.run(scenario))
    assert row is not None and list(row.urls) == ["http://127.0.0.1:9/x.jpg"]
    assert row.product_id == "p"


@forms
def test_submit_refuses_local_files_without_an_uploader_and_other_schemes(
    sandbox: SandboxHandle, tmp_path: Path, form: Form
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"x")

    async def scenario() -> None:
        async with form.client(sandbox) as client, form.client(sandbox, "legacy") as old:
            with pytest.raises(InvalidParameterError, match="SandboxUploader") as info:
                await form.submit(client, photo)
            assert info.value.parameter == "uploader"
            with pytest.raises(InvalidParameterError, match="only http"):
                await form.submit(client, "ftp://127.0.0.1/a.jpg")
            with pytest.raises(InvalidParameterError, match="neither"):
                await form.submit(client, tmp_path / "missing.jpg")
            with pytest.raises(InvalidParameterError, match="PixelzClient"):
                await form.submit(old, "http://127.0.0.1:9/x.jpg")
            with pytest.raises(InvalidParameterError, match="image_url"):
                await form.submit(client, "http://127.0.0.1:9/x.jpg", image_url="x")
            with pytest.raises(UploadError, match="no http"):
                await form.submit(client, photo, uploader=lambda p: "file:///tmp/a.jpg")

    form.run(scenario)
    assert sandbox.store.count_images() == 0


@forms
def test_any_callable_is_an_uploader(sandbox: SandboxHandle, tmp_path: Path, form: Form) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"bytes")
    seen: list[Path] = []

    def mine(path: Path) -> str:
        seen.append(path)
        return "http://127.0.0.1:9/hosted/a.jpg"

    async def scenario() -> uuid.UUID:
        async with form.client(sandbox) as client:
            ticket: uuid.UUID = await form.submit(
                client, str(photo), uploader=mine, template_id="1001"
            )
            return ticket

    ticket = form.run(scenario)
    assert seen == [photo]
    row = sandbox.image(ticket)
    assert row is not None and list(row.urls) == ["http://127.0.0.1:9/hosted/a.jpg"]


def test_the_async_submit_awaits_an_async_uploader_and_runs_a_plain_one_in_a_thread(
    tmp_path: Path,
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"bytes")
    threads: list[str] = []

    class Queue:
        def add_image_to_queue(self, **params: Any) -> Any:
            assert params["image_url"] == "http://127.0.0.1:9/up/a.jpg"
            return pixelz.ImageTicketResponse(image_ticket=uuid.UUID(int=3))

    async def awaited(path: Path) -> str:
        threads.append(threading.current_thread().name)
        return "http://127.0.0.1:9/up/a.jpg"

    def plain(path: Path) -> str:
        threads.append(threading.current_thread().name)
        return "http://127.0.0.1:9/up/a.jpg"

    client = ASYNC.fake(Queue())
    for uploader in (awaited, plain):
        ticket = asyncio.run(aio.submit(client, photo, uploader=uploader, template_id="1"))
        assert ticket == uuid.UUID(int=3)
    main = threading.current_thread().name
    assert threads[0] == main and threads[1] != main


def test_presigned_put_uploader_puts_the_file_and_returns_the_get_url(tmp_path: Path) -> None:
    photo = tmp_path / "shoe 1.jpg"
    photo.write_bytes(b"jpeg bytes")
    storage = FileServer()
    names: list[str] = []
    with serve(storage) as base:

        def presign(name: str) -> tuple[str, str]:
            names.append(name)
            return f"{base}/bucket/{name}?X-Amz-Signature=secret", f"{base}/bucket/{name}"

        uploader = PresignedPutUploader(presign)
        url = uploader(photo)
        assert url == f"{base}/bucket/shoe-1.jpg"
        assert names == ["shoe-1.jpg"]
        assert storage.puts["/bucket/shoe-1.jpg"] == b"jpeg bytes"

        def failing(name: str) -> tuple[str, str]:
            return f"{base}/nowhere?X-Amz-Signature=secret", f"{base}/x"

        storage_fail = PresignedPutUploader(failing)
        storage.files.clear()
    with pytest.raises(UploadError) as info:
        storage_fail(photo)  # the server is gone: a connection error
    assert "secret" not in str(info.value)


def test_sandbox_uploader_reports_refusals(sandbox: SandboxHandle, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(UploadError, match="empty"):
        SandboxUploader(sandbox.url)(empty)
    big = tmp_path / "big.jpg"
    big.write_bytes(b"x" * 100)
    with pytest.raises(UploadError, match="max_bytes"):
        SandboxUploader(sandbox.url, max_bytes=10)(big)
    url = SandboxUploader(sandbox.url)(big)
    assert url.startswith(sandbox.url + "/uploads/") and url.endswith("/big.jpg")
