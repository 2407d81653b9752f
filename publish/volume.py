"""A reader: several Documents in one volume, in parts, with an introduction and questions."""

from dataclasses import dataclass

from publish.document import Document


@dataclass(frozen=True)
class Part:
    title: str
    texts: tuple[Document, ...]
    questions: tuple[str, ...] = ()  # discussion questions, plain text


@dataclass(frozen=True)
class Volume:
    title: str
    language: str
    slug: str
    parts: tuple[Part, ...]
    subtitle: str | None = None
    editor: str | None = None
    date: str | None = None  # ISO 8601
    intro: Document | None = None  # the editor's introduction
    number_paragraphs: bool = False
    running_head: str | None = None  # a short title for the running heads

    @property
    def texts(self) -> tuple[Document, ...]:
        return tuple(text for part in self.parts for text in part.texts)
