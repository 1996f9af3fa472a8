"""One worker of a batch whose rate limits are shared through its journal.

    python limit_worker.py ENDPOINT JOURNAL RATE {submit MANIFEST | status SECONDS} [--local]

``RATE`` is a ``--rate`` text (``queue=10/s``). ``submit``: submits the manifest (the
PostgreSQL journal admits many workers); ``status``: asks the status of the batch's
rows over and over for ``SECONDS``. ``--local`` keeps the client's own buckets
(``shared_limits=False``), to show the tests catch a limit that is not shared.
"""

from __future__ import annotations

import argparse
import time

import requests

from removethebackground import Batch, PixelzClient
from removethebackground.core.ratelimit import RateLimits
from removethebackground.workflows.batch import runner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("journal")
    parser.add_argument("rate")
    parser.add_argument("mode", choices=("submit", "status"))
    parser.add_argument("arg")
    parser.add_argument("--local", action="store_true")
    args = parser.parse_args()
    # claims of a few rows, so that the workers of a small batch all get rows to send
    runner.PAGE = 4  # type: ignore[attr-defined]
    session = requests.Session()
    session.trust_env = False
    client = PixelzClient(
        "demo@example.com",
        "demo-key",
        endpoint=args.endpoint,
        session=session,
        rate_limits=RateLimits.parse([args.rate]),
    )
    with Batch(args.journal, client, settle_seconds=0.1, shared_limits=not args.local) as batch:
        if args.mode == "submit":
            batch.submit(args.arg, concurrency=4)
        else:
            end = time.monotonic() + float(args.arg)
            while time.monotonic() < end:
                batch.status(concurrency=4)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
