"""Read back what the roadmap PDF holds, as a PDF reader would, without a PDF library.

pypdf and pdfminer are not among the test requirements, and poppler's pdftotext is not on every
machine, so this reads the few things the tests check straight from the bytes that WeasyPrint
(pydyf) writes: its indirect objects, including those packed in compressed object streams; the
text of the page content in drawing order, decoded with each font's ToUnicode map; and the text
in the order of the structure tree, which is the order a screen reader follows.

It understands the subset of PDF that pydyf writes (direct /Length, FlateDecode, Identity-H fonts
with hexadecimal glyph strings), not every PDF.
"""

import re
import zlib
from codecs import BOM_UTF16_BE

OBJECT_START = re.compile(rb"(?m)^(\d+) 0 obj\n")
REFERENCE = re.compile(rb"(\d+) 0 R")
# Content-stream tokens: a font selection, a glyph string or array, a marked-content start or end,
# and the end of a text object or a move to a new line (Tm), which end a run of text.
CONTENT_TOKEN = re.compile(
    rb"/(?P<font>[^\s/]+) [\d.]+ Tf"
    rb"|\[(?P<array>[^\]]*)\] TJ|<(?P<hex>[0-9a-fA-F]*)> Tj"
    rb"|<</MCID (?P<mcid>\d+)>>\s+BDC|(?P<emc>EMC)|(?P<et>ET|Tm)\b"
)
HEX_STRING = re.compile(rb"<([0-9a-fA-F]*)>")


class PdfReading:
    """The objects of one PDF file, by number, as the source of their dictionary and stream."""

    def __init__(self, data: bytes):
        self.dictionaries: dict[int, bytes] = {}
        self.streams: dict[int, bytes] = {}
        for match in OBJECT_START.finditer(data):
            self._read_object(int(match[1]), data, match.end())
        for number, source in list(self.dictionaries.items()):
            if b"/Type /ObjStm" in source:
                self._read_object_stream(self.streams[number], source)

    def _read_object(self, number: int, data: bytes, start: int) -> None:
        end = data.index(b"endobj", start)
        head, separator, _ = data[start:end].partition(b"\nstream\n")
        self.dictionaries[number] = head
        if separator:
            length = int(re.search(rb"/Length (\d+)", head)[1])
            body_start = start + len(head) + len(separator)
            body = data[body_start : body_start + length]
            self.streams[number] = zlib.decompress(body) if b"/FlateDecode" in head else body

    def _read_object_stream(self, body: bytes, source: bytes) -> None:
        count = int(re.search(rb"/N (\d+)", source)[1])
        first = int(re.search(rb"/First (\d+)", source)[1])
        header = [int(value) for value in body[:first].split()]
        pairs = list(zip(header[0::2], header[1::2], strict=True))
        assert len(pairs) == count
        for index, (number, offset) in enumerate(pairs):
            end = first + pairs[index + 1][1] if index + 1 < count else len(body)
            self.dictionaries[number] = body[first + offset : end].strip()

    def entry(self, number: int, key: str) -> bytes | None:
        """The raw value after /key in the object's dictionary (up to the next key or end)."""
        match = re.search(
            rb"/" + key.encode() + rb"(?=[\s/<(\[])\s*(<<.*?>>|\(.*?(?<!\\)\)|<[0-9a-fA-F]*>"
            rb"|\[[^\]]*\]|/[^\s/<>\[\]()]+|[^/<>\[\]()]+)",
            self.dictionaries[number],
            re.S,
        )
        return None if match is None else match[1].strip()

    def reference(self, number: int, key: str) -> int:
        return int(REFERENCE.fullmatch(self.entry(number, key))[1])

    def catalog(self) -> int:
        [number] = [n for n, source in self.dictionaries.items() if b"/Type /Catalog" in source]
        return number

    def info(self) -> int:
        [number] = [n for n, source in self.dictionaries.items() if b"/Producer " in source]
        return number

    def metadata(self) -> str:
        return self.streams[self.reference(self.catalog(), "Metadata")].decode()

    # Text.

    def _fonts(self, page: int) -> dict[bytes, dict[str, str]]:
        """Each font resource name of the page with its glyph-to-text map."""
        resources = self.reference(page, "Resources")
        fonts = self.reference(resources, "Font")
        names = re.findall(rb"/([^\s/]+) (\d+) 0 R", self.dictionaries[fonts])
        return {
            name: to_unicode_map(self.streams[self.reference(int(font), "ToUnicode")])
            for name, font in names
        }

    def _pages(self) -> list[int]:
        pages = self.reference(self.catalog(), "Pages")
        return [int(number) for number in REFERENCE.findall(self.entry(pages, "Kids"))]

    def page_texts(self, page: int) -> tuple[list[str], dict[int, str]]:
        """The page's text runs in drawing order, and the text of each marked-content id."""
        fonts = self._fonts(page)
        content = self.streams[self.reference(page, "Contents")]
        runs, by_mcid, font, mcid, run = [], {}, None, None, []
        for token in CONTENT_TOKEN.finditer(content):
            if token["font"]:
                font = fonts[token["font"]]
            elif token["array"] is not None or token["hex"] is not None:
                source = (
                    token["array"] if token["array"] is not None else b"<" + token["hex"] + b">"
                )
                text = "".join(decode_glyphs(part, font) for part in HEX_STRING.findall(source))
                run.append(text)
                if mcid is not None:
                    by_mcid[mcid] = f"{by_mcid.get(mcid, '')} {text}"
            elif token["mcid"]:
                mcid = int(token["mcid"])
            elif token["emc"]:
                mcid = None
            elif token["et"] and run:
                runs.append("".join(run))
                run = []
        return runs, by_mcid

    def text_in_drawing_order(self) -> str:
        """What a text extractor that follows the content stream gets (pypdf does)."""
        runs = [run for page in self._pages() for run in self.page_texts(page)[0]]
        return squash(" ".join(runs))

    def text_in_structure_order(self) -> str:
        """The text in the order of the structure tree: what assistive technology reads."""
        [page] = self._pages()  # The roadmap is one page; several would need /Pg per element.
        _, by_mcid = self.page_texts(page)
        root = self.reference(self.catalog(), "StructTreeRoot")
        return squash(" ".join(by_mcid[mcid] for mcid in self._mcids(root)))

    def _mcids(self, number: int):
        kids = self.entry(number, "K")
        if kids is None:
            return
        for part in re.findall(rb"\d+ 0 R|\d+", kids.strip(b"[]")):
            if part.endswith(b"R"):
                yield from self._mcids(int(part.split()[0]))
            else:
                yield int(part)

    def structure_types(self) -> list[str]:
        """The /S of every structure element, in tree order."""
        root = self.reference(self.catalog(), "StructTreeRoot")
        return list(self._types(root))

    def _types(self, number: int):
        kind = self.entry(number, "S")
        if kind is not None:
            yield kind.decode().lstrip("/")
        kids = self.entry(number, "K") or b""
        for reference in REFERENCE.findall(kids):
            yield from self._types(int(reference))


def to_unicode_map(cmap: bytes) -> dict[str, str]:
    """Glyph code (4 hex digits) to text, from a ToUnicode CMap's bfchar and bfrange sections."""
    mapping = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section):
            mapping[code.decode().lower()] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(
            rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section
        ):
            first = ord(bytes.fromhex(text.decode()).decode("utf-16-be"))
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[f"{code:04x}"] = chr(first + offset)
    return mapping


def decode_glyphs(hex_digits: bytes, font: dict[str, str]) -> str:
    codes = hex_digits.decode().lower()
    return "".join(font.get(codes[i : i + 4], "\ufffd") for i in range(0, len(codes), 4))


def pdf_string(value: bytes) -> str:
    """A PDF string object as text: (literal) or <FEFF...> UTF-16 hexadecimal."""
    if value.startswith(b"("):
        return re.sub(rb"\\(.)", rb"\1", value[1:-1]).decode("latin-1")
    raw = bytes.fromhex(value[1:-1].decode())
    return raw[len(BOM_UTF16_BE) :].decode("utf-16-be") if raw.startswith(BOM_UTF16_BE) else ""


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
