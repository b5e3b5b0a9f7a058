"""The smallest PDF files that hold the objects a test gives, for PDFs no library would write
(decompression bombs, pages of odd sizes)."""

from __future__ import annotations


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF whose objects are ``objects`` (numbered from 1, object 1 the catalog), with a
    cross-reference table pointing at each."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
