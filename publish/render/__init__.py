"""Writers: each turns a Document (or a reader Volume) into the bytes of one output format."""
