"""A TTB open file we will not load: reported as one line, nothing of its week (or day) written."""

from __future__ import annotations

import csv
import io


class FileRefused(ValueError):
    """A file that is empty, cut, has the wrong header or an unknown shape."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


def decode_text(data: bytes, file_name: str) -> str:
    """The file's text: UTF-8 (a BOM stripped), else cp1252, as TTB's files have been seen in both."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(file_name, f"neither UTF-8 nor cp1252 text (byte {exc.start})") from None


def csv_rows(data: bytes, file_name: str) -> list[list[str]]:
    """The file's non-blank CSV rows, header first; refused when empty, undecodable or malformed."""
    text = decode_text(data, file_name)
    if not text.strip():
        raise FileRefused(file_name, "empty file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise FileRefused(file_name, f"cut or malformed CSV near line {reader.line_num}: {exc}") from None
