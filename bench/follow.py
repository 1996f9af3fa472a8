"""What following a batch costs: status calls per image, counted at the sandbox's request log.

A batch of ``--rows`` images (default 1,000) is submitted to an in-process sandbox on a
frozen clock (3 s a status step, so an image takes 9 s from New to Delivered) and
followed with ``Batch.wait`` (its default poll: 5 s doubling up to 300 s, the sandbox's
clock advanced instead of sleeping). The GetImageStatus and GetImagesList requests the
sandbox logged during the wait are counted, for:

- ``pages``: following as ``Batch`` does (GetImagesList pages, GetImageStatus for the
  few rows left);
- ``one by one``: every unfinished row asked alone each round (pages of one image,
  which is what following cost before pages were read);
- ``notified``: the rows carry a callback URL to a :class:`Notifications` receiver
  passed to ``wait``: one round of pages confirms the notified rows.

``rounds`` counts the rounds whose summary changed.

Counted, not timed. Run with ``make bench-follow`` or ``python bench/follow.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from removethebackground.sandbox import DEMO_API_KEY, SandboxConfig  # noqa: E402
from removethebackground.sandbox.imaging import make_sample_product_photo  # noqa: E402
from removethebackground.testing.sandbox import run_sandbox  # noqa: E402
from removethebackground.workflows.batch import Batch, runner  # noqa: E402
from removethebackground.workflows.batch.follow import Notifications, follow_round  # noqa: E402

STATUS_CALLS = ("GetImageStatus", "GetImagesList")


def measure(rows: int, *, per_page: int, notify: bool = False) -> tuple[Counter[str], int]:
    def round_(*args: Any, **kwargs: Any) -> Any:
        return follow_round(*args, **{**kwargs, "per_page": per_page})

    runner.follow_round = round_  # type: ignore[assignment]
    try:
        config = SandboxConfig(request_log_size=rows * 50 + 1000)
        with (
            run_sandbox(config=config) as sb,
            tempfile.TemporaryDirectory() as tmp,
            Notifications("127.0.0.1", 0, DEMO_API_KEY) as hooks,
        ):
            url = sb.upload(make_sample_product_photo(48, 36, seed=1), "a.jpg")
            host, port = hooks.address
            callback = f"http://{host}:{port}/rtb" if notify else ""
            manifest = [
                {
                    "image": url,
                    "customer_image_id": f"bench-{i}",
                    "template_id": "1001",
                    "callback_url": callback,
                }
                for i in range(rows)
            ]

            def sleep(seconds: float) -> None:
                sb.advance(seconds)
                sb.wait_for_webhooks()

            with Batch(Path(tmp) / "j.sqlite", sb.pixelz_client(), clock=sb.clock.now) as batch:
                batch.submit(manifest, concurrency=8)
                start = max(r.id for r in sb.requests_log())
                rounds = 0

                def count(_summary: object) -> None:  # rounds that changed something
                    nonlocal rounds
                    rounds += 1

                done = batch.wait(
                    clock=sb.clock.now,
                    sleep=sleep,
                    on_progress=count,
                    notifications=hooks if notify else None,
                )
                assert done.delivered == rows, str(done)
                calls = Counter(
                    str(r.operation)
                    for r in sb.requests_log()
                    if r.id > start and r.operation in STATUS_CALLS
                )
                return calls, rounds
    finally:
        runner.follow_round = follow_round


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"following {args.rows} images (9 s each on the sandbox's clock)")
    print(
        f"{'how':<12} {'rounds':>7} {'GetImagesList':>14} {'GetImageStatus':>15} {'per image':>10}"
    )
    for how, per_page, notify in (
        ("one by one", 1, False),
        ("pages", 100, False),
        ("notified", 100, True),
    ):
        calls, rounds = measure(args.rows, per_page=per_page, notify=notify)
        total = sum(calls.values())
        print(
            f"{how:<12} {rounds:>7} {calls['GetImagesList']:>14} {calls['GetImageStatus']:>15} "
            f"{total / args.rows:>10.3f}"
        )


if __name__ == "__main__":
    main()
