"""PDFs written by the tests themselves (pypdf's writer): text pages, image-only pages, encrypted files."""

from __future__ import annotations

import io
import zlib

from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _font(writer: PdfWriter) -> DictionaryObject:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    return DictionaryObject({NameObject("/F1"): writer._add_object(font)})


def _text_stream(lines: list[str]) -> bytes:
    commands = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        commands.append(f"({_escape(line)}) Tj T*")
    commands.append("ET")
    return "\n".join(commands).encode("latin-1", errors="replace")


def _image(writer: PdfWriter) -> DictionaryObject:
    pixels = bytes([128]) * (64 * 64)
    image = StreamObject()
    image._data = zlib.compress(pixels)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(64),
            NameObject("/Height"): NumberObject(64),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/FlateDecode"),
        }
    )
    return DictionaryObject({NameObject("/Im1"): writer._add_object(image)})


def make_pdf(
    pages: list[list[str]],
    *,
    scanned: bool = False,
    user_password: str | None = None,
    owner_password: str | None = None,
) -> bytes:
    """A PDF with one page per entry (each a list of text lines); ``scanned`` pages hold an image and no text."""
    writer = PdfWriter()
    font = _font(writer)
    image = _image(writer) if scanned else None
    for lines in pages:
        page = writer.add_blank_page(width=612, height=792)
        resources = DictionaryObject({NameObject("/Font"): font})
        content = DecodedStreamObject()
        if image is not None:
            resources[NameObject("/XObject")] = image
            content.set_data(b"q 400 0 0 400 100 300 cm /Im1 Do Q")
        else:
            content.set_data(_text_stream(lines))
        page[NameObject("/Resources")] = resources
        page[NameObject("/Contents")] = writer._add_object(content)
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password=user_password or "", owner_password=owner_password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def report_pages(count: int) -> list[list[str]]:
    """``count`` pages of a plausible report, each naming its page number and a figure."""
    return [
        [
            f"Annual flood report, page {number}.",
            f"The river rose {number % 7 + 2} metres at the Riverton gauge in March 2015.",
            "Officials said 1,250 residents were evacuated from the lower town.",
        ]
        for number in range(1, count + 1)
    ]
