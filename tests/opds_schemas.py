"""The published OPDS schemas, kept under tests/schemas/ as test data (see its README).

- OPDS 1.2: the RelaxNG schema of zetaben/opds-validator (opds_v1.2.rnc with atom.rnc, no
  licence file upstream), with its URI pattern typo fixed, converted to .rng by trang.
- OPDS 2.0: the JSON Schemas of opds-community/drafts (schema/, no licence file upstream)
  and readium/webpub-manifest (schema/, BSD 3-Clause), with JavaScript named groups `(?<x>`
  written `(?P<x>` for Python's re.
"""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent / "schemas"
FEED_SCHEMA = "https://drafts.opds.io/schema/feed.schema.json"


@cache
def opds1_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "opds1" / "opds_v1.2.rng")))


def opds1_errors(data: bytes) -> list[str]:
    """The schema's complaints about one Atom feed; empty when it validates."""
    schema = opds1_schema()
    if schema.validate(etree.fromstring(data)):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]


@cache
def opds2_validator() -> Draft7Validator:
    resources = []
    for path in sorted(SCHEMAS.glob("opds2/*.json")) + sorted(SCHEMAS.glob("webpub/**/*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7))
        )
    registry = Registry().with_resources(resources)
    feed = registry.contents(FEED_SCHEMA)
    return Draft7Validator(feed, registry=registry)


def opds2_errors(data: bytes) -> list[str]:
    """The schemas' complaints about one OPDS 2.0 feed; empty when it validates."""
    errors = opds2_validator().iter_errors(json.loads(data))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]
