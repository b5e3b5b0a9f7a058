from __future__ import annotations

import base64
import io
import subprocess
import sys
import zlib
from datetime import date

import pypdfium2
import pytest
import segno
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from notify_emulator import letters_pdf
from notify_emulator.letters_pdf import (
    check_precompiled_pdf,
    fewest_pages,
    page_count,
    render_letter_pdf,
)
from notify_emulator.rules import letters
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.letter_template import letter_body_html
from notify_emulator.rules.letters import (
    LETTER_MAX_PAGES,
    UNREADABLE,
    billable_sheets,
    decode_letter_content,
    format_letter_date,
    letter_billable_units,
)
from tests.pdf_objects import pdf_of_objects

ADDRESS = ["Ada Lovelace", "1 Example Street", "London", "SW1A 1AA"]


def render(**overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "address_lines": ADDRESS,
        "contact_block": "The Passport Office\nPO Box 123\nLondon",
        "date": date(2026, 1, 6),
        "subject": "Your passport application",
        "body_html": "<p>Dear Ada,</p><p>Your application has arrived.</p>",
    }
    arguments.update(overrides)
    return render_letter_pdf(**arguments)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def blank_pdf(
    pages: int, page_format: str | tuple[float, float] = "a4", orientation: str = "P"
) -> bytes:
    document = FPDF(orientation=orientation, format=page_format)
    for _ in range(pages):
        document.add_page()
    return bytes(document.output())


# --- decoding ----------------------------------------------------------------------------


def test_decode_standard_base64() -> None:
    assert decode_letter_content(base64.b64encode(b"%PDF-1.7 hello").decode()) == b"%PDF-1.7 hello"


def test_decode_drops_characters_outside_the_alphabet() -> None:
    encoded = base64.b64encode(b"letter content").decode()
    noisy = "\n".join(encoded[i : i + 4] for i in range(0, len(encoded), 4)) + " !*"
    assert decode_letter_content(noisy) == b"letter content"


@pytest.mark.parametrize("content", ["abc", "abcde", "YQ=", "élan"])
def test_decode_failures_are_notify_errors(content: str) -> None:
    with pytest.raises(RuleError) as raised:
        decode_letter_content(content)
    assert raised.value.message == "Cannot decode letter content (invalid base64 encoding)"
    assert raised.value.error == "BadRequestError"


def test_decoding_an_empty_string_gives_no_bytes() -> None:
    assert decode_letter_content("") == b""


# --- precompiled checks ------------------------------------------------------------------


def test_a_rendered_letter_passes_the_precompiled_checks() -> None:
    check = check_precompiled_pdf(render())
    assert check.valid
    assert check.page_count == 1
    assert check.reason is None
    assert check.code is None


def test_ten_pages_are_allowed() -> None:
    check = check_precompiled_pdf(blank_pdf(LETTER_MAX_PAGES))
    assert check.valid
    assert check.page_count == 10


def test_twelve_pages_are_too_many() -> None:
    check = check_precompiled_pdf(blank_pdf(12))
    assert not check.valid
    assert check.page_count == 12
    assert check.code == "letter-too-long"
    assert check.reason is not None
    assert "too many pages" in check.reason


@pytest.mark.parametrize("data", [b"", b"hello, not a PDF", b"\x89PNG\r\n\x1a\n" + b"\0" * 100])
def test_non_pdf_bytes_are_unreadable(data: bytes) -> None:
    check = check_precompiled_pdf(data)
    assert not check.valid
    assert check.page_count is None
    assert check.reason == "not a PDF"
    assert check.code == "unable-to-read-the-file"


def test_a_damaged_pdf_is_unreadable() -> None:
    pdf = render()
    check = check_precompiled_pdf(pdf[: len(pdf) // 2])
    assert not check.valid
    assert check.code == "unable-to-read-the-file"


def test_a_pdf_header_with_garbage_is_unreadable() -> None:
    check = check_precompiled_pdf(b"%PDF-1.4\nnothing else here")
    assert not check.valid
    assert check.code == "unable-to-read-the-file"


def test_an_encrypted_pdf_is_unreadable() -> None:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(blank_pdf(1))))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    check = check_precompiled_pdf(buffer.getvalue())
    assert not check.valid
    assert check.reason == "the PDF is encrypted"


@pytest.mark.parametrize(
    ("page_format", "orientation"),
    [((148, 210), "P"), ("a4", "L"), ("letter", "P"), ("a3", "P")],
)
def test_pages_must_be_a4_portrait(
    page_format: str | tuple[float, float], orientation: str
) -> None:
    check = check_precompiled_pdf(blank_pdf(1, page_format, orientation))
    assert not check.valid
    assert check.code == "letter-not-a4-portrait-oriented"
    assert check.page_count == 1


def test_a_landscape_page_rotated_upright_is_a4_portrait() -> None:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(blank_pdf(1, "a4", "L"))))
    writer.pages[0].rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert check_precompiled_pdf(buffer.getvalue()).valid


# --- rendering ---------------------------------------------------------------------------


def test_rendered_letter_is_an_a4_pdf_with_every_part() -> None:
    pdf = render()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595  # 210 mm
    assert round(float(page.mediabox.height)) == 842  # 297 mm
    text = page.extract_text()
    for line in [*ADDRESS, "The Passport Office", "PO Box 123"]:
        assert line in text
    assert "6 January 2026" in text
    assert "Your passport application" in text
    assert "Your application has arrived." in text


def test_address_comes_before_the_date_subject_and_body() -> None:
    text = page_texts(render())[0]
    assert text.index("SW1A 1AA") < text.index("6 January 2026") < text.index("Dear Ada")
    assert text.index("Your passport application") < text.index("Dear Ada")


def test_letter_without_a_contact_block() -> None:
    text = page_texts(render(contact_block=None))[0]
    assert "Ada Lovelace" in text
    assert "Passport Office" not in text


def test_page_break_marker_starts_a_new_page() -> None:
    pdf = render(body_html="<p>First page</p><!-- pagebreak --><h2>Second</h2><p>Last page</p>")
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "First page" in texts[0]
    assert "Last page" in texts[1]
    assert "Last page" not in texts[0]


def test_notify_page_break_element_starts_a_new_page() -> None:
    pdf = render(
        body_html="<p>One</p><div class='page-break'>&nbsp;</div><p>Two</p>"
        '<div class="page-break">&nbsp;</div><p>Three</p>'
    )
    texts = page_texts(pdf)
    assert len(texts) == 3
    assert "Two" in texts[1]
    assert "Three" in texts[2]


def test_html_elements_are_laid_out_as_text() -> None:
    text = page_texts(
        render(
            body_html=(
                "<h2>What happens next</h2><p>We <strong>check</strong> &amp; print.<br>Then post."
                "</p><ul><li>first item</li><li>second item</li></ul>"
            )
        )
    )[0]
    assert "What happens next" in text
    assert "We check & print." in text
    assert "first item" in text
    assert "second item" in text
    assert "<strong>" not in text


def word_spacing(pdf: bytes) -> dict[str, float]:
    """Each line of text drawn, with the extra space its words are set apart by (``Tw``)."""
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    spacing: dict[str, float] = {}
    for page in reader.pages:
        extra = 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tw":
                extra = float(operands[0])
            elif operator == b"ET":
                extra = 0.0
            elif operator == b"Tj":
                spacing[str(operands[0])] = extra
    return spacing


def test_text_is_aligned_left_never_justified() -> None:
    # Notify's letters are set ragged right: no line is stretched to the margin.
    words = "Your application for a new passport has been received and we will write to you. "
    pdf = render(
        address_lines=["Ada Lovelace", "1 Example Street " + "with a long name " * 3, "SW1A 1AA"],
        subject="A subject long enough to need a second line of the heading, as " + words,
        body_html=f"<p>{words * 4}</p><ul><li>{words * 3}</li></ul>",
    )
    spacing = word_spacing(pdf)
    wrapped = [line for line in spacing if line.startswith(("1 Example Street", "A subject"))]
    assert len(wrapped) == 2
    assert {line: extra for line, extra in spacing.items() if extra} == {}


def test_long_letters_run_onto_more_pages() -> None:
    paragraph = "<p>" + "A sentence that takes up some room on the page. " * 12 + "</p>"
    pdf = render(body_html=paragraph * 80)
    assert page_count(pdf) > LETTER_MAX_PAGES
    assert not check_precompiled_pdf(pdf).valid


def test_text_beyond_the_pdf_font_is_made_printable() -> None:
    pdf = render(
        address_lines=["Siôn Ŵyn", "1 Ffordd Fawr", "Łódź", "Poland"],
        subject="Re‑application – “urgent” €5",
        body_html="<p>Non\u2011breaking, 日本, café</p>",
    )
    text = page_texts(pdf)[0]
    assert "Siôn Wyn" in text
    assert "Lódz" in text  # ó is in the font; ź is not
    assert "Re-application – “urgent” €5" in text
    assert "Non-breaking, ??, café" in text


# --- pages, sheets, dates ----------------------------------------------------------------


def test_page_count() -> None:
    assert page_count(blank_pdf(3)) == 3


def test_page_count_of_something_else_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a readable PDF"):
        page_count(b"not a pdf")


@pytest.mark.parametrize(
    ("pages", "sheets"), [(0, 0), (1, 1), (2, 1), (3, 2), (9, 5), (10, 5), (11, 6)]
)
def test_billable_sheets(pages: int, sheets: int) -> None:
    assert billable_sheets(pages) == sheets


def test_billable_sheets_refuses_negative_pages() -> None:
    with pytest.raises(ValueError, match="negative"):
        billable_sheets(-1)


def test_letter_billable_units() -> None:
    assert letter_billable_units(key_type="normal", precompiled=False, pages=3) == 2
    assert letter_billable_units(key_type="test", precompiled=False, pages=3) == 0
    assert letter_billable_units(key_type="test", precompiled=True, pages=3) == 2


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 1, 6), "6 January 2026"),
        (date(2026, 5, 7), "7 May 2026"),
        (date(2026, 12, 31), "31 December 2026"),
    ],
)
def test_format_letter_date(day: date, shown: str) -> None:
    assert format_letter_date(day) == shown


def test_public_names_exist() -> None:
    assert all(hasattr(letters_pdf, name) for name in letters_pdf.__all__)
    assert all(hasattr(letters, name) for name in letters.__all__)


def test_the_pdf_libraries_are_imported_with_the_first_letter_not_with_the_emulator() -> None:
    # A fresh interpreter: this one has imported them already.
    script = """
import sys
import notify_emulator.server
heavy = ("fpdf", "pypdf", "fontTools", "segno")
assert not [name for name in heavy if name in sys.modules], sys.modules.keys() & set(heavy)
from notify_emulator.letters_pdf import fewest_pages
fewest_pages(address_lines=[], contact_block=None, subject="Hello", body_html="<p>Hi</p>")
assert "fpdf" in sys.modules
"""
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr


def _pdf_with_content(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    """One A4 page whose content stream is ``stream`` (already encoded with ``filters``)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        f"<< /Length {len(stream)} /Filter {filters} >>\nstream\n".encode()
        + stream
        + b"\nendstream",
    ]
    return pdf_of_objects(objects)


def _deflated_spaces(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b" " * 1_000_000
    return b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()


def test_a_decompression_bomb_is_unreadable() -> None:
    # Under 1 MB uploaded, a gigabyte once inflated: what drawing its page would cost.
    check = check_precompiled_pdf(_pdf_with_content(_deflated_spaces(1000)))
    assert (check.valid, check.code) == (False, UNREADABLE)
    # Deflated twice, each layer within any one stream's limit.
    twice = zlib.compress(_deflated_spaces(500), 9)
    check = check_precompiled_pdf(_pdf_with_content(twice, "[/FlateDecode /FlateDecode]"))
    assert (check.valid, check.code) == (False, UNREADABLE)


def test_ordinary_compressed_content_is_readable() -> None:
    content = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n" * 1000)
    assert check_precompiled_pdf(_pdf_with_content(content)).valid


# --- QR codes ------------------------------------------------------------------------------

QR_DATA = "https://www.gov.uk/book?ref=A-12&x=1"


def _dark_box(image: Image.Image, left: int, right: int) -> tuple[int, int, int, int]:
    """The bounding box of the dark pixels between columns ``left`` and ``right``."""
    grey = image.convert("L").crop((left, 0, right, image.height))
    box = grey.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert box is not None
    return box[0] + left, box[1], box[2] + left, box[3]


def test_a_qr_code_is_drawn_module_for_module_as_notify_draws_it() -> None:
    # segno, medium error correction, no quiet zone: each module of the page's square is the
    # code's own (read at the centre of each module of a 300 dpi rendering).
    body_html = letter_body_html(f"Scan this:\n\nqr: {QR_DATA}\n\nThanks.", {})
    pdf = render(subject="S", contact_block=None, body_html=body_html)
    document = pypdfium2.PdfDocument(pdf)
    scale = 300 / 72
    image = document[0].render(scale=scale).to_pil()
    document.close()
    # The square is centred and 84 pt wide (Notify's letter CSS); nothing else is drawn in
    # the middle of the page below the address.
    size = 84 * scale
    left, top, right, bottom = _dark_box(
        image, round(image.width / 2 - size / 2 - 5), round(image.width / 2 + size / 2 + 5)
    )
    assert abs((right - left) - size) < 3
    assert abs((bottom - top) - size) < 3
    assert abs((left + right) / 2 - image.width / 2) < 3
    code = segno.make(QR_DATA, error="m", micro=False)
    modules = int(code.symbol_size(border=0)[0])
    module = (right - left) / modules
    grey = image.convert("L")
    drawn = [
        [
            grey.getpixel((int(left + (column + 0.5) * module), int(top + (row + 0.5) * module)))
            < 128
            for column in range(modules)
        ]
        for row in range(modules)
    ]
    assert drawn == [[bool(value & 1) for value in row] for row in code.matrix]
    # The data is drawn, not written: the page's text has the paragraphs around it only.
    text = page_texts(pdf)[0]
    assert "Scan this:" in text
    assert "Thanks." in text
    assert "gov.uk/book" not in text


def test_a_qr_code_whose_data_is_a_placeholder_is_the_previews_dashed_square() -> None:
    pdf = render(body_html=letter_body_html("qr: ((link))", {}))
    text = page_texts(pdf)[0]
    assert "((link))" in text
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    assert content is not None
    assert b"] 0.000 d" in content.get_data()  # a dash pattern: the dashed border


def test_a_qr_code_that_does_not_fit_goes_to_the_next_page() -> None:
    filler = "\n\n".join(["A line of the letter."] * 34)
    pdf = render(body_html=letter_body_html(f"{filler}\n\nqr: {QR_DATA}\n\nAfter it.", {}))
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "After it." in texts[1]


def test_the_page_bound_counts_each_qr_code_as_its_square() -> None:
    body = "\n\n".join(f"qr: {QR_DATA}{number}" for number in range(20))
    body_html = letter_body_html(body, {})
    bound = fewest_pages(
        address_lines=ADDRESS, contact_block=None, subject="S", body_html=body_html
    )
    pages = page_count(render(subject="S", contact_block=None, body_html=body_html))
    assert 3 <= bound <= pages
