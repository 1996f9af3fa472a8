"""One worker of a shared batch, for the PostgreSQL SIGKILL tests.

    python pg_worker.py ENDPOINT JOURNAL_URL MANIFEST [--slow SECONDS] [--unprotected]

``--slow``: pause after each AddImageToQueue answer (answered, not yet recorded), so a
kill at an arbitrary moment most likely leaves rows ``submitting``. ``--unprotected``
takes the protection away, to show the tests catch its absence: a row of unknown
outcome is sent again without being looked up, and claims ignore other workers.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from removethebackground import Batch, PixelzClient
from removethebackground.workflows.batch import postgres, runner


class Adapter(HTTPAdapter):
    def __init__(self, slow: float) -> None:
        super().__init__(pool_maxsize=16, max_retries=0)
        self.slow = slow

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().send(request, *args, **kwargs)
        if self.slow and b"AddImageToQueue" in (request.body or b"")[:2000]:
            time.sleep(self.slow)
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("journal")
    parser.add_argument("manifest")
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--unprotected", action="store_true")
    args = parser.parse_args()
    if args.unprotected:
        postgres._FREE = "TRUE"  # type: ignore[attr-defined]

        def resend(self: Batch, row: Any) -> None:
            self.journal.record_not_queued(row.row_no, self._owner)

        runner.Batch._reconcile = resend  # type: ignore[method-assign]
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", Adapter(args.slow))
    client = PixelzClient("demo@example.com", "demo-key", endpoint=args.endpoint, session=session)
    with Batch(args.journal, client, settle_seconds=0.1, rounds=30) as batch:
        summary = batch.submit(args.manifest, concurrency=4)
    print("finished", summary, flush=True)


if __name__ == "__main__":
    main()
