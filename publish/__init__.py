"""publish: scraped articles, Markdown and web pages to typeset PDF pamphlets and EPUB books."""

__version__ = "0.1.0"
