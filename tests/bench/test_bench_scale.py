"""The scale bench's fast service answers the real client as the service does, and
counts what it was asked to queue (the duplicates the scale table reports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.scale import (
    MEMORY_PHASES,
    FastService,
    StatelessService,
    _manifest,
    memory_worker,
    render_memory,
)

from removethebackground import PixelzClient
from removethebackground.workflows.paging import iter_images


def test_the_fast_service_queues_lists_and_counts() -> None:
    with FastService() as service:
        client = PixelzClient("bench@example.com", "bench-key", endpoint=service.url)
        first = client.add_image_to_queue(image_url="https://h/1.jpg", customer_image_id="a")
        client.add_image_to_queue(image_url="https://h/1.jpg", customer_image_id="a")
        client.add_image_to_queue(image_url="https://h/2.jpg", customer_image_id="b")
        assert service.queued == {"a": 2, "b": 1}  # the duplicate is seen by the service
        listed = list(iter_images(client, sort_by="id", per_page=2))
        assert [i.customer_image_id for i in listed] == ["a", "a", "b"]
        assert all(i.status_id == 80 for i in listed)
        status = client.get_image_status(image_ticket=first.image_ticket)
        assert status.image_status is not None
        assert status.image_status.image_ticket == first.image_ticket


def test_the_memory_runs_double_submits_and_lists_without_keeping_images(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "m.csv"
    _manifest(manifest, 250)
    memory_worker(str(tmp_path / "j.rtb-journal"), str(manifest), 250, list(MEMORY_PHASES))
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("RESULT ")]
    peaks = json.loads(line.removeprefix("RESULT "))
    assert peaks["rows"] == 250 and all(peaks[p] > 0 for p in MEMORY_PHASES)
    assert not vars(StatelessService(250)).keys() - {"rows"}  # nothing kept per image
    table = "\n".join(
        render_memory(
            [
                {
                    "journal": "sqlite",
                    "phase": "follow",
                    "rows": 1000,
                    "peak_kib_tenth": 400.0,
                    "peak_kib": 420.0,
                    "growth": 1.05,
                }
            ]
        )
    )
    assert "KiB at 100" in table and "KiB at 1,000" in table and "1.05x" in table
