"""ZIP packages (.docx, .odt): checked for size before any parser unpacks them."""

import zipfile
from datetime import date
from pathlib import Path

from lxml import etree

from publish.errors import PublishError
from publish.sources.decode import check_size

UNPACK_RATIO = 20  # unpacked bytes allowed per byte of the size limit: XML packs about 10:1
MAX_MEMBERS = 10_000
# Package XML is parsed without entities, DTDs or the network.
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def open_package(path: Path, max_bytes: int, kind: str) -> zipfile.ZipFile:
    """The package, once its size, its unpacked size and its member count are within limits."""
    check_size(path, max_bytes)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise PublishError(path, f"not {kind} (it is no ZIP package)") from None
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or unpacked > max_bytes * UNPACK_RATIO:
        archive.close()
        raise PublishError(
            path, f"unpacks to {unpacked:,} bytes in {len(members):,} files: too much"
        )
    return archive


def read_xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A member of the package parsed as XML, or None when it is missing or not XML."""
    try:
        return etree.fromstring(archive.read(name), XML_PARSER)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError):
        return None


def iso_day(value: str | None) -> str | None:
    """The day of an ISO timestamp ("2024-10-12T09:30:00Z" -> "2024-10-12"), or None."""
    try:
        return date.fromisoformat((value or "").strip()[:10]).isoformat()
    except ValueError:
        return None
