"""Benchmarks: this client against zeep, the obvious alternative, in the same run.

Each line prints both timings and the ratio (zeep / ours; above 1 means we are
faster). Nothing here asserts a number: these machines are noisy, so targets are
read from the ratios, not enforced in unit tests.

Measured, for GetImageStatus on the Pixelz WSDL:
- start-up: import + client construction (zeep parses the WSDL here; we do not);
- building a SOAP 1.1 request envelope;
- parsing a GetImagesList answer with 100 images;
- a whole call through requests to an in-process canned answer (no network);
- peak memory (tracemalloc) of start-up plus one call.

Run with ``make bench`` (or ``python bench/run.py --quick``).
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from lxml import etree
from requests.adapters import BaseAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codegen.model import _offline_transport  # noqa: E402

from removethebackground import Binding, PixelzClient  # noqa: E402
from removethebackground.client import build_envelope  # noqa: E402
from removethebackground.codec import SOAP11_ENV, to_element  # noqa: E402
from removethebackground.generated import pixelz  # noqa: E402

WSDL = ROOT / "wsdl/pixelz/pixelz.wsdl"
NS = pixelz.NS


def _images_answer(count: int) -> bytes:
    images = [
        pixelz.ImageStatus(
            image_ticket=uuid.UUID(int=i + 1),
            customer_image_id=f"cust-{i}",
            product_id=f"prod-{i % 7}",
            status_name="Delivered",
            status_id=80,
            is_paid=True,
            thumbnail_image_url=f"http://127.0.0.1/out/{i}-thumb.png",
            final_images_url=[f"http://127.0.0.1/out/{i}.png"],
        )
        for i in range(count)
    ]
    result = to_element(
        pixelz.ImagesListResponse(images=list(images)), f"{{{NS}}}GetImagesListResult"
    )
    env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
    wrapper = etree.SubElement(body, f"{{{NS}}}GetImagesListResponse", nsmap={None: NS})  # type: ignore[dict-item]
    wrapper.append(result)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _status_answer() -> bytes:
    status = pixelz.ImageStatusResponse(
        image_status=pixelz.ImageStatus(
            image_ticket=uuid.UUID(int=7),
            status_name="Delivered",
            status_id=80,
            is_paid=True,
            final_images_url=["http://127.0.0.1/out/7.png"],
        )
    )
    result = to_element(status, f"{{{NS}}}GetImageStatusResult")
    env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soap": SOAP11_ENV})
    body = etree.SubElement(env, f"{{{SOAP11_ENV}}}Body")
    wrapper = etree.SubElement(body, f"{{{NS}}}GetImageStatusResponse", nsmap={None: NS})  # type: ignore[dict-item]
    wrapper.append(result)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


class CannedAdapter(BaseAdapter):
    """Answers every request with the same bytes, as a server on loopback would."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "text/xml; charset=utf-8"
        response.headers["Content-Length"] = str(len(self.body))
        response.raw = io.BytesIO(self.body)
        response.request = request
        response.url = request.url
        return response

    def close(self) -> None:
        pass


def _zeep_client(body: bytes) -> Any:
    import zeep

    transport = _offline_transport()
    adapter = CannedAdapter(body)
    transport.session.mount("http://", adapter)
    client = zeep.Client(str(WSDL), transport=transport)
    return client.create_service(
        "{http://removethebackground.com/}soapSoap", "http://127.0.0.1:8110/soap.asmx"
    )


def _our_client(body: bytes) -> PixelzClient:
    session = requests.Session()
    session.mount("http://", CannedAdapter(body))
    return PixelzClient(
        "bench@example.com",
        "bench-key",
        binding=Binding.SOAP11,
        endpoint="http://127.0.0.1:8110/soap.asmx",
        session=session,
    )


def timeit(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    rounds = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def report(name: str, ours: float, theirs: float, unit: str = "us") -> None:
    scale = {"us": 1e6, "ms": 1e3}[unit]
    print(
        f"{name:<42} ours {ours * scale:10.1f} {unit}   zeep {theirs * scale:10.1f} {unit}"
        f"   zeep/ours {theirs / ours:6.1f}x"
    )


def startup_seconds(code: str, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def peak_memory(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    repeat, number = (3, 50) if args.quick else (7, 300)

    print(f"Python {sys.version.split()[0]}; rounds={repeat} x {number}; zeep/ours > 1: faster")
    status_body = _status_answer()
    list_body = _images_answer(100)
    ours = _our_client(status_body)
    theirs = _zeep_client(status_body)

    values = {"contact_email": "a@b.c", "contact_api_key": "k", "image_ticket": str(uuid.uuid4())}
    op = pixelz.OP_GET_IMAGE_STATUS
    report(
        "build a SOAP 1.1 envelope",
        timeit(lambda: build_envelope(op, Binding.SOAP11, values), repeat, number),
        timeit(
            lambda: etree.tostring(
                theirs._binding._create(
                    "GetImageStatus",
                    (),
                    {
                        "contactEmail": "a@b.c",
                        "contactAPIkey": "k",
                        "imageTicket": values["image_ticket"],
                    },
                    client=theirs._client,
                )[0]
            ),
            repeat,
            number,
        ),
    )

    list_ours = _our_client(list_body)
    list_theirs = _zeep_client(list_body)
    report(
        "GetImagesList call, 100 images parsed",
        timeit(lambda: list_ours.get_images_list(page="1"), repeat, max(number // 10, 5)),
        timeit(
            lambda: list_theirs.GetImagesList(contactEmail="a", contactAPIkey="k", page="1"),
            repeat,
            max(number // 10, 5),
        ),
        unit="ms",
    )
    report(
        "GetImageStatus call (in-process answer)",
        timeit(lambda: ours.get_image_status(image_ticket="x"), repeat, number),
        timeit(
            lambda: theirs.GetImageStatus(contactEmail="a", contactAPIkey="k", imageTicket="x"),
            repeat,
            number,
        ),
    )
    ours_start = startup_seconds("import removethebackground as r; r.PixelzClient('a@b.c', 'k')", 3)
    zeep_start = startup_seconds(
        "import sys; sys.path.insert(0, '.');"
        "import zeep; from codegen.model import _offline_transport;"
        f"zeep.Client({str(WSDL)!r}, transport=_offline_transport())",
        3,
    )
    report("start-up: import + client (subprocess)", ours_start, zeep_start, unit="ms")

    def ours_once() -> None:
        _our_client(status_body).get_image_status(image_ticket="x")

    def zeep_once() -> None:
        _zeep_client(status_body).GetImageStatus(
            contactEmail="a", contactAPIkey="k", imageTicket="x"
        )

    mine, other = peak_memory(ours_once), peak_memory(zeep_once)
    print(
        f"{'peak memory: client + one call':<42} ours {mine / 1024:8.0f} KiB   "
        f"zeep {other / 1024:8.0f} KiB   zeep/ours {other / mine:6.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
