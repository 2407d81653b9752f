"""A small site for the site, server and browser tests, built once per test session."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from publish.cli import main

EPOCH = "1700000000"  # SOURCE_DATE_EPOCH of the test site: 2023-11-14T22:13:20Z
SOURCES = {
    "strike.md": """---
title: The Strike at the Mill
authors:
- Ada Weaver
- Ben Loom
date: 2021-05-01
language: en
note: How the spinners won a shorter week.
---
The spinners met in the yard before dawn.

## The demands

A shorter week and a fair rate for piecework.

## The vote

They voted by a show of hands, and the vote was carried.
""",
    "bulletin.md": """---
title: Le Bulletin des Rives
authors:
- Élise Durand
date: 2023-02-10
language: fr
---
Les habitantes du quartier ont ouvert une bibliothèque.

## Les prêts

Chaque livre peut être emprunté deux semaines.
""",
    "reader.toml": """title = "Mill and River"
subtitle = "A Reader on Local Struggles"
editor = "Riverside Study Circle"
date = "2024-03-01"

[[parts]]
title = "Part One"
texts = ["strike.md", "bulletin.md"]
questions = ["What did the spinners win?"]
""",
}


BUILT: list["Site"] = []  # the session's test site, once built


@dataclass(frozen=True)
class Site:
    root: Path  # the site folder
    build: Path  # the build folder, outside the site
    sources: Path  # the folder of the sources


def make_sources(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SOURCES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_site(site: Site, epoch: str = EPOCH) -> int:
    """`publish site` over the test sources, quietly, with a fixed SOURCE_DATE_EPOCH."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", epoch)
        arguments = [str(site.sources), "-o", str(site.root), "--build-dir", str(site.build)]
        return main(["site", *arguments, "--jobs", "1", "--quiet"])


def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The test site, built once per session: two pamphlets (English, French), a reader."""
    if not BUILT:
        base = tmp_path_factory.mktemp("library")
        made = Site(base / "site", base / "build", make_sources(base / "sources"))
        assert run_site(made) == 0
        BUILT.append(made)
    return BUILT[0]


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen
    url: str  # the catalogue's address, ending in /
    opds: str  # the OPDS feed's address


def start_server(root: Path, *extra: str) -> Server:
    """`publish serve` on a free port, once it has printed its two addresses."""
    process = subprocess.Popen(
        [sys.executable, "-m", "publish", "serve", str(root), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    catalogue = process.stdout.readline().split(": ", 1)[1].strip()
    opds = process.stdout.readline().split(": ", 1)[1].strip()
    return Server(process, catalogue, opds)


def wait_for_exit(process: subprocess.Popen) -> int:
    """The exit status, waiting at most a minute (a hang fails the test, not the session)."""
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
    return process.wait()
