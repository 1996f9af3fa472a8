"""The scale bench's fast service answers the real client as the service does, and
counts what it was asked to queue (the duplicates the scale table reports)."""

from __future__ import annotations

from bench.scale import FastService

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
