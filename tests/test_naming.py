"""A cluster build's output names: each source prepared and rendered in one call, its files
named by the slug its text gives itself, then moved to the name the two-round build gives."""

from copy import deepcopy
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from publish.build import Job, Naming, Outcome, assign_slugs

# Slugs that clash: "strike-booklet" is also the booklet of "strike", and "same-2" is the
# name the second "same" would get.
SLUGS = ["same", "same-2", "strike", "strike-booklet", "other"]


class Notes:
    """A Reporter's note, kept."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def note(self, text: str) -> None:
        self.lines.append(text)


job_states = st.lists(
    st.tuples(
        st.sampled_from(SLUGS),
        st.sampled_from(["sent", "staged", "render failed", "prepare failed"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(job_states, st.lists(st.sampled_from(SLUGS), max_size=3, unique=True), st.randoms())
def test_names_are_those_of_two_rounds_in_any_order_of_arrival(
    tmp_path_factory, states: list[tuple[str, str]], kept: list[str], random
) -> None:
    """Outputs sent back as bytes are written under their final names as soon as those are
    known, or staged on disk meanwhile; outputs a worker wrote to the staging folder move."""
    root = tmp_path_factory.mktemp("naming")
    output, staging = root / "out", root / "staged"
    output.mkdir()
    # the jobs' order is not their paths' order, nor is the order the calls end in
    paths = [root / f"source-{number:02}.md" for number in range(len(states))]
    random.shuffle(paths)
    jobs = [Job(path) for path in paths]
    skipped = [
        Outcome(root / f"kept-{slug}.md", "skipped", slug=slug, outputs=[f"{slug}.epub"])
        for slug in kept
    ]
    arrived = []
    for index, (slug, state) in enumerate(states):
        outcome = Outcome(jobs[index].path, "failed", message="broken")
        if state != "prepare failed":
            outcome.slug = slug  # a render that failed keeps its names taken
        if state in ("sent", "staged"):
            outcome.status, outcome.outputs = "built", [f"{slug}.epub", f"{slug}.pdf"]
            for name in outcome.outputs:
                data = f"{index} {name}".encode()
                if state == "sent":  # the bytes came back with the outcome
                    outcome.files[name] = data
                else:  # a worker sharing the output folder wrote them to the staging folder
                    (staging / str(index)).mkdir(parents=True, exist_ok=True)
                    (staging / str(index) / name).write_bytes(data)
        arrived.append(outcome)

    two_rounds = deepcopy(arrived)
    expected = Notes()
    assign_slugs(two_rounds, skipped, expected)

    notes = Notes()
    naming = Naming(jobs, skipped, output, notes)
    order = list(range(len(jobs)))
    random.shuffle(order)
    for count, index in enumerate(order):
        for outcome in naming.arrived(index, arrived[index], staging / str(index)):
            assert outcome.slug == two_rounds[arrived.index(outcome)].slug
        assert not any(arrived[index].files for index in order[: count + 1])  # none held
    assert [outcome.path for outcome in naming.settled] == sorted(paths, key=str)
    assert [outcome.slug for outcome in arrived] == [outcome.slug for outcome in two_rounds]
    assert notes.lines == expected.lines
    written = {}
    for index, outcome in enumerate(arrived):
        if states[index][1] in ("sent", "staged"):
            assert outcome.outputs == sorted([f"{outcome.slug}.epub", f"{outcome.slug}.pdf"])
            for name in outcome.outputs:
                written[name] = index
    assert sorted(p.name for p in output.iterdir()) == sorted(written)
    for name, index in written.items():
        staged_name = states[index][0] + name.removeprefix(arrived[index].slug)
        assert (output / name).read_text() == f"{index} {staged_name}"


def test_a_file_that_cannot_be_moved_fails_its_source(tmp_path: Path) -> None:
    """The name is a folder: the source fails in one line; the next one is still named."""
    output, staged = tmp_path / "out", tmp_path / "staged"
    (output / "taken.epub").mkdir(parents=True)
    (staged / "0").mkdir(parents=True)
    (staged / "0" / "taken.epub").write_text("book")
    jobs = [Job(tmp_path / "a.md"), Job(tmp_path / "b.md")]
    naming = Naming(jobs, [], output, Notes())
    first = Outcome(jobs[0].path, "built", slug="taken", outputs=["taken.epub"])
    second = Outcome(jobs[1].path, "failed", message="broken")
    assert naming.arrived(1, second, staged / "1") == []  # waits for the first path
    assert naming.arrived(0, first, staged / "0") == [first, second]
    assert first.status == "failed"
    assert first.message.startswith("cannot write taken.epub: ")


def test_outputs_that_cannot_wait_on_disk_fail_their_source(tmp_path: Path) -> None:
    """Bytes arriving before an earlier source is named go to the staging folder; when it
    cannot be written, that source fails in one line and keeps its name taken."""
    output = tmp_path / "out"
    output.mkdir()
    (tmp_path / "staged").write_text("a file where the folder should be")
    jobs = [Job(tmp_path / "a.md"), Job(tmp_path / "b.md")]
    naming = Naming(jobs, [], output, Notes())
    early = Outcome(jobs[1].path, "built", slug="same", outputs=["same.epub"])
    early.files = {"same.epub": b"book"}
    assert naming.arrived(1, early, tmp_path / "staged" / "1") == []
    assert early.files == {}
    assert early.status == "failed" and early.message.startswith("cannot stage its outputs: ")
    first = Outcome(jobs[0].path, "built", slug="same", outputs=["same.epub"])
    first.files = {"same.epub": b"first"}
    assert naming.arrived(0, first, tmp_path / "staged" / "0") == [first, early]
    assert (output / "same.epub").read_bytes() == b"first"
    assert early.slug == "same-2" and sorted(p.name for p in output.iterdir()) == ["same.epub"]
