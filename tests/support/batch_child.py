"""Run a Batch in a child process, for the SIGKILL tests.

    python batch_child.py ENDPOINT JOURNAL MANIFEST [--kill-after N] [--slow SECONDS]

``--kill-after N``: the process SIGKILLs itself right after the N-th AddImageToQueue
answer has arrived, before the batch can record the ticket: the request reached the
service, the journal says ``submitting``. ``--slow``: pause after each AddImageToQueue
answer, so that a parent killing the process at an arbitrary moment most likely hits
calls whose images are queued but not yet recorded.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from removethebackground import Batch, PixelzClient


class Adapter(HTTPAdapter):
    def __init__(self, kill_after: int, slow: float) -> None:
        super().__init__(pool_maxsize=16, max_retries=0)
        self.kill_after = kill_after
        self.slow = slow
        self.adds = 0
        self.lock = threading.Lock()

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        adding = b"AddImageToQueue" in (request.body or b"")[:2000]
        response = super().send(request, *args, **kwargs)
        if self.slow and adding:
            time.sleep(self.slow)  # answered, not yet recorded: a kill now leaves it unknown
        if adding:
            with self.lock:
                self.adds += 1
                if self.kill_after and self.adds >= self.kill_after:
                    _ = response.content  # the whole answer is here: the image is queued
                    os.kill(os.getpid(), signal.SIGKILL)
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("journal")
    parser.add_argument("manifest")
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--slow", type=float, default=0.0)
    args = parser.parse_args()
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", Adapter(args.kill_after, args.slow))
    client = PixelzClient("demo@example.com", "demo-key", endpoint=args.endpoint, session=session)
    Batch(args.journal, client, durable=True).submit(args.manifest, concurrency=4)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
