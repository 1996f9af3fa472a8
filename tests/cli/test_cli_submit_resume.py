"""``rtb submit`` through its journal, and the one naming scheme of ``--name``, against a
real sandbox on loopback (wall clock, 0.2 s status steps), in this process.

A rerun resumes: what the journal holds is not sent again (counted at the sandbox's own
request records) and finished files are not fetched again; customer image ids are
stable hashes of a file's path and content, single files carry one too, and a lost
answer is looked up rather than sent again.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from removethebackground.cli.main import main
from removethebackground.cli.submit import JOURNAL_NAME, Input, customer_image_id_of
from removethebackground.core.redaction import secret_forms
from removethebackground.generated import pixelz
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows.batch import open_journal, read_manifest
from removethebackground.workflows.batch.journal import PENDING

EMAIL = "submit-resume@example.org"
KEY = "resume-K3y/odd&chars"
WAIT = ("--poll", "0.2", "--timeout", "30")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def rows(self) -> list[dict[str, object]]:
        data = json.loads(self.out)
        assert isinstance(data, list)
        return data


Rtb = Callable[..., Run]


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(realtime=True, step_seconds=0.2) as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture(scope="module")
def rtb(sb: SandboxHandle, tmp_path_factory: pytest.TempPathFactory) -> Rtb:
    runner = CliRunner()
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_CONFIG": str(tmp_path_factory.mktemp("config") / "config.toml"),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
    )

    def run(*args: str) -> Run:
        with runner.isolation(env=env) as (out, err, _mixed):
            code = main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            result = Run(code, out.getvalue().decode(), err.getvalue().decode())
        for form in secret_forms(KEY):
            assert form not in result.out + result.err
        assert "Traceback" not in result.err, result.err
        return result

    return run


@pytest.fixture(scope="module")
def template_id(sb: SandboxHandle) -> str:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    added = client.add_template(
        template_name="resume cutouts", template_output_format="PNG", background_type="1"
    )
    return str(added.template_id)


def _photos(root: Path, names: list[str], seed: int = 0) -> Path:
    for n, name in enumerate(names):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(make_sample_product_photo(96, 72, seed=seed + n))
    return root


def _sent(sb: SandboxHandle, since: int) -> list[str]:
    """What reached the sandbox after request ``since``: ``METHOD operation-or-path``."""
    return [f"{r.method} {r.operation or r.path}" for r in sb.requests_log() if r.id > since]


def _last_id(sb: SandboxHandle) -> int:
    log = sb.requests_log()
    return log[-1].id if log else 0


# --- resuming ---------------------------------------------------------------------------------


def test_a_rerun_sends_nothing_again_and_skips_finished_files(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    photos = _photos(tmp_path / "photos", ["a.jpg", "shoes/b.jpg", "shoes/deep/c.png"])
    out = tmp_path / "cutouts"
    args = ("submit", str(photos), "--recursive", "--template-id", template_id, "--wait",
            "--download", str(out), *WAIT, "--json")  # fmt: skip
    start = _last_id(sb)
    first = rtb(*args)
    assert first.code == 0, first.err
    rows = first.rows()
    sent = _sent(sb, start)
    assert sent.count("POST AddImageToQueue") == 3
    assert (out / JOURNAL_NAME).is_file()  # the journal: in the --download folder
    # Mirrored and named {stem}-{ticket8}.{ext} (the template delivers PNG).
    expected = {
        "a.jpg": "a-{}.png",
        "shoes/b.jpg": "shoes/b-{}.png",
        "shoes/deep/c.png": "shoes/deep/c-{}.png",
    }
    for row in rows:
        relative = Path(str(row["source"])).relative_to(photos).as_posix()
        ticket = str(row["ticket"])
        assert row["status"] == "Delivered" and row["state"] == "submitted"
        assert row["files"] == [str(out / expected[relative].format(ticket[:8]))]
        assert Path(str(row["files"][0])).is_file()  # type: ignore[index]
        image = sb.image(ticket)
        assert image is not None and image.customer_image_id == row["customer_image_id"]
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}
    assert len(stamps) == 3

    start = _last_id(sb)
    again = rtb(*args)
    assert again.code == 0, again.err
    assert _sent(sb, start) == []  # not one request: nothing queued, asked or fetched again
    assert again.rows() == rows
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == stamps

    # A photo added to the folder: only it is sent.
    _photos(photos, ["shoes/new.jpg"], seed=7)
    start = _last_id(sb)
    more = rtb(*args)
    assert more.code == 0, more.err
    assert _sent(sb, start).count("POST AddImageToQueue") == 1
    new = [r for r in more.rows() if str(r["source"]).endswith("new.jpg")]
    assert Path(str(new[0]["files"][0])).parent == out / "shoes"  # type: ignore[index]


def test_without_download_the_journal_is_beside_the_inputs_and_is_found_again(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    photos = _photos(tmp_path / "in", ["x.jpg", "y.jpg"])
    start = _last_id(sb)
    queued = rtb("submit", str(photos), "--template-id", template_id, "--json")
    assert queued.code == 0, queued.err
    assert (photos / JOURNAL_NAME).is_file()
    # Later, with --download: the journal beside the inputs is used, nothing queued again.
    out = tmp_path / "out"
    fetched = rtb("submit", str(photos), "--template-id", template_id, "--download", str(out),
                  *WAIT, "--json")  # fmt: skip
    assert fetched.code == 0, fetched.err
    assert _sent(sb, start).count("POST AddImageToQueue") == 2
    assert [r["ticket"] for r in fetched.rows()] == [r["ticket"] for r in queued.rows()]
    assert sorted(p.name[:2] for p in out.glob("*.png")) == ["x-", "y-"]


# --- customer image ids -----------------------------------------------------------------------


def test_ids_are_stable_and_tell_content_and_place_apart(tmp_path: Path) -> None:
    one = _photos(tmp_path / "one", ["a.jpg", "sub/a.jpg"], seed=1)
    two = _photos(tmp_path / "two", ["a.jpg"], seed=5)

    def cid(root: Path, relative: str) -> str:
        return customer_image_id_of(Input(str(root / relative), root, PurePosixPath(relative)))

    first = cid(one, "a.jpg")
    assert first == cid(one, "a.jpg")  # stable
    assert first.startswith("rtb-") and len(first) == 24
    assert cid(two, "a.jpg") != first  # same name, other content
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "a.jpg").write_bytes((one / "a.jpg").read_bytes())
    assert cid(tmp_path / "copy", "a.jpg") == first  # same path below its root, same content
    (one / "sub" / "a.jpg").write_bytes((one / "a.jpg").read_bytes())
    assert cid(one, "sub/a.jpg") != first  # same content, other place
    url = "https://cdn.example.com/a.jpg"
    assert customer_image_id_of(Input(url)) == customer_image_id_of(Input(url))


def test_ids_across_runs_and_a_single_file_carries_one(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    photos = _photos(tmp_path / "p", ["shoe.jpg"])
    single = rtb("submit", str(photos / "shoe.jpg"), "--template-id", template_id, "--json")
    assert single.code == 0, single.err
    (row,) = single.rows()
    cid = str(row["customer_image_id"])
    assert cid.startswith("rtb-")
    image = sb.image(str(row["ticket"]))
    assert image is not None and image.customer_image_id == cid
    # The same name with other content (a new photo): another id, queued.
    _photos(photos, ["shoe.jpg"], seed=3)
    changed = rtb("submit", str(photos / "shoe.jpg"), "--template-id", template_id, "--json")
    (row2,) = changed.rows()
    assert row2["customer_image_id"] != cid and row2["ticket"] != row["ticket"]
    # Without a journal (each run queues again), every run has ids of its own.
    loose = [
        rtb("submit", str(photos / "shoe.jpg"), "--template-id", template_id, "--no-journal",
            "--json").rows()[0]["ticket"]
        for _ in range(2)
    ]  # fmt: skip
    ids = [sb.image(str(t)).customer_image_id for t in loose]  # type: ignore[union-attr]
    assert len(set(ids)) == 2 and all(
        i and i.startswith(f"{row2['customer_image_id']}-") for i in ids
    )


def test_a_lost_answer_for_a_single_file_is_looked_up_not_sent_again(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    folder = _photos(tmp_path / "lone", ["lone.jpg"])
    path = folder / "lone.jpg"
    cid = customer_image_id_of(Input(str(path), folder, PurePosixPath("lone.jpg")))
    # The call reached the service, but its answer was lost: the journal says "submitting".
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    url = sb.upload(path.read_bytes(), "lone.jpg")
    queued = client.add_image_to_queue(
        image_url=url, customer_image_id=cid, template_id=template_id
    )
    journal = open_journal(folder / JOURNAL_NAME, account=EMAIL)
    try:
        rows = read_manifest(
            [{"image": str(path.resolve()), "customer_image_id": cid, "template_id": template_id}],
            can_upload=True,
        )
        journal.record_manifest(rows)
        with journal.acquire("lost"):
            (claimed,) = journal.claim(PENDING, "lost")
            assert journal.start_call(claimed.row_no, "lost", attempts=1)
    finally:
        journal.close()
    start = _last_id(sb)
    again = rtb("submit", str(path), "--template-id", template_id, "--json")
    assert again.code == 0, again.err
    assert again.rows()[0]["ticket"] == str(queued.image_ticket)
    sent = _sent(sb, start)
    assert "POST AddImageToQueue" not in sent and "POST GetImageStatus" in sent


# --- naming -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("{nope}.{ext}", "unknown field {nope}"),
        ("../{stem}.{ext}", "'..' as a folder"),
        ("/abs/{stem}.{ext}", "absolute path"),
        ("{product_id}.{ext}", "empty file name"),
        ("", "is empty"),
    ],
)
def test_bad_names_are_refused_before_anything_is_sent(
    rtb: Rtb, sb: SandboxHandle, tmp_path: Path, pattern: str, says: str
) -> None:
    photos = _photos(tmp_path / "p", ["a.jpg"])
    start = _last_id(sb)
    for args in (
        ("submit", str(photos), "--download", str(tmp_path / "out"), "--name", pattern),
        ("download", "fe7b7e4b-d5a9-488e-ab3a-c8872e6b854b", "--name", pattern),
    ):
        refused = rtb(*args)
        assert refused.code == 2, refused.err
        line = refused.err.strip()
        assert line.startswith("error: --name: ") and says in line, line
        if pattern:
            assert repr(pattern) in line
        assert "{stem}" in line or "{ticket8}" in line or "below the folder" in line
    assert _sent(sb, start) == []
    assert not (tmp_path / "out").exists() and not (photos / JOURNAL_NAME).exists()


def test_names_of_rtb_download_and_submit_urls(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    url = "https://cdn.example.com/img/red-boot.jpg"
    done = rtb("submit", url, "--template-id", template_id, "--product-id", "boots",
               "--download", str(tmp_path / "urls"), *WAIT, "--json")  # fmt: skip
    assert done.code == 0, done.err
    (row,) = done.rows()
    ticket = str(row["ticket"])
    assert row["files"] == [str(tmp_path / "urls" / f"red-boot-{ticket[:8]}.png")]
    # rtb download: the same default ({stem} is the customer image id there) ...
    plain = rtb("download", ticket, "--dest", str(tmp_path / "d"), "--json")
    assert plain.code == 0, plain.err
    assert plain.rows()[0]["files"] == [
        str(tmp_path / "d" / f"{row['customer_image_id']}-{ticket[:8]}.png")
    ]
    # ... and any pattern, sub-folders included.
    named = rtb("download", ticket, "--dest", str(tmp_path / "d"), "--thumbnail", "--name",
                "{product_id}/{ticket}.{ext}", "--json")  # fmt: skip
    assert named.code == 0, named.err
    assert named.rows()[0]["files"] == [
        str(tmp_path / "d" / "boots" / f"{ticket}.png"),
        str(tmp_path / "d" / "boots" / f"{ticket}-thumb.png"),
    ]


def test_two_images_named_alike_are_refused_not_mixed_up(
    rtb: Rtb, template_id: str, tmp_path: Path
) -> None:
    urls = ["https://cdn.example.com/twin/1.jpg", "https://cdn.example.com/twin/2.jpg"]
    done = rtb("submit", *urls, "--template-id", template_id, "--wait", *WAIT, "--json")
    assert done.code == 0, done.err
    first, second = (str(r["ticket"]) for r in done.rows())
    fetched = rtb("download", first, second, "--dest", str(tmp_path), "--name", "shoe")
    assert fetched.code == 1
    assert f"error: image {second} would be written to" in fetched.err
    assert "add {ticket8}" in fetched.err
    assert [p.name for p in tmp_path.iterdir()] == ["shoe.png"]


def test_what_a_journal_cannot_record_is_queued_directly_and_said(
    rtb: Rtb, template_id: str, tmp_path: Path
) -> None:
    photos = _photos(tmp_path / "p", ["a.jpg"])
    loose = rtb("submit", str(photos), "--template-id", template_id, "--param",
                "instruction=keep the shadow", "--json")  # fmt: skip
    assert loose.code == 0, loose.err
    assert "--instruction cannot be recorded in a journal" in loose.err
    assert not (photos / JOURNAL_NAME).exists()
    (row,) = loose.rows()
    assert str(row["customer_image_id"]).startswith("rtb-")  # an id still: a lost answer is found
    both = rtb("submit", str(photos), "--journal", str(tmp_path / "j"), "--no-journal")
    assert both.code == 2 and "contradict" in both.err
