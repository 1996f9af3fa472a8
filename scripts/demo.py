"""Demo: remove the background of a product photo with the local sandbox, end to end.

Run with ``python scripts/demo.py`` (or ``make demo``). It starts the sandbox in this
process on a free port (0.5 s per status step), draws a sample product photo,
uploads it to the sandbox, queues it with ``PixelzClient`` over SOAP 1.2, shows
the status until the image is delivered (``wait_for``), downloads the cut-out PNG
into ``./demo-output/`` (``download``) and reports how much of it is transparent. No account, no
internet. Exits 0 on success, 1 with a message on failure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

from removethebackground import (
    Binding,
    ImageStatusName,
    PixelzClient,
    RemoveTheBackgroundError,
    download,
    wait_for,
)
from removethebackground.generated import legacy, pixelz
from removethebackground.sandbox import Sandbox, SandboxClock
from removethebackground.sandbox.imaging import (
    ImageProcessingError,
    make_sample_product_photo,
    transparent_fraction,
)
from removethebackground.workflows import result_urls

STATUS_ORDER = (10, 60, 70, 80)


def progress_line(status_id: int, status_name: str, elapsed: float, width: int = 24) -> str:
    done = STATUS_ORDER.index(status_id) + 1 if status_id in STATUS_ORDER else 0
    filled = width * done // len(STATUS_ORDER)
    bar = "#" * filled + "." * (width - filled)
    return f"\r  [{bar}] {status_name:<20} {elapsed:5.1f} s"


def run(output_dir: Path, *, step_seconds: float, timeout: float) -> Path:
    started = time.monotonic()
    with Sandbox(port=0, step_seconds=step_seconds, clock=SandboxClock()) as sandbox:
        print(f"Sandbox running at {sandbox.url} (status step {step_seconds:g} s)")
        photo = make_sample_product_photo(800, 600, seed=7)
        image_url = sandbox.upload(photo, "sample-product.jpg")
        print(f"Uploaded a sample product photo ({len(photo)} bytes): {image_url}")

        session = requests.Session()
        session.trust_env = False  # the sandbox is local: no proxy from the environment
        with PixelzClient(
            sandbox.demo_email,
            sandbox.demo_api_key,
            binding=Binding.SOAP12,
            endpoint=sandbox.pixelz_endpoint,
            timeout=10,
            session=session,
        ) as client:
            queued = client.add_image_to_queue(
                template_id="1002",  # the square web-shop PNG: transparent, 1000x1000
                image_url=image_url,
                customer_image_id="demo-1",
                product_id="demo",
            )
            ticket = queued.image_ticket
            print(f"Queued with AddImageToQueue over SOAP 1.2 (template 1002): ticket {ticket}")

            def show(status: pixelz.ImageStatus | legacy.ImageStatus) -> None:
                name = status.status_name or str(status.status_id)
                elapsed = time.monotonic() - started
                sys.stdout.write(progress_line(status.status_id, name, elapsed))
                sys.stdout.flush()

            try:
                answer = wait_for(
                    client,
                    ticket,  # a uuid.UUID: tickets are values
                    timeout=timeout,
                    poll=min(0.2, step_seconds / 2),
                    max_poll=step_seconds,
                    on_progress=show,
                )
            finally:
                print()
            if ImageStatusName.of(answer) is ImageStatusName.ON_HOLD:
                raise RuntimeError(f"the image is on hold: {sandbox.image(ticket)}")

        (target,) = download(answer, output_dir, session=session)
        session.close()
        data = target.read_bytes()
        fraction = transparent_fraction(data)
        print(f"Downloaded {result_urls(answer)[0][1]}")
        print(f"Wrote {target} ({len(data)} bytes): {fraction:.0%} transparent")
        if fraction <= 0:
            raise RuntimeError("the result has no transparent pixels")
    print(f"Sandbox stopped. Done in {time.monotonic() - started:.1f} s.")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=Path("demo-output"))
    parser.add_argument("--step-seconds", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    try:
        run(args.output, step_seconds=args.step_seconds, timeout=args.timeout)
    except (RemoveTheBackgroundError, ImageProcessingError, RuntimeError, OSError) as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"\ndemo failed: cannot download the result: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
