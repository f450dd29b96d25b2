#!/usr/bin/env python3
"""Packs the built-in example xlsx files for embedding: src/examples/*.xlsx from the fixture
county in tests/fixtures/qingshan/.

The same workbooks, with two changes that make the web app's bundle ~17 KB smaller (gzip)
without changing what is read from them: the parts are stored rather than deflated (the bundle
is compressed as a whole, and compresses what the files share across files), and the unused
theme part is left out (the fixtures' fonts use no theme colour but black). A test
(`examples::tests`) checks that every packed file reads exactly like its fixture.
Run from the repository root after regenerating the fixtures."""
import io
import pathlib
import re
import zipfile

SRC = pathlib.Path("tests/fixtures/qingshan")
OUT = pathlib.Path("src/examples")
THEME = "xl/theme/theme1.xml"

OUT.mkdir(exist_ok=True)
for old in OUT.glob("*.xlsx"):
    old.unlink()
for path in sorted(SRC.glob("*.xlsx")):
    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == THEME:
                continue
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'<Relationship [^>]*Target="theme/theme1\.xml"[^>]*/>', b"", data)
            if info.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override [^>]*PartName="/xl/theme/theme1\.xml"[^>]*/>', b"", data)
            packed = zipfile.ZipInfo(info.filename, date_time=(2024, 6, 1, 8, 0, 0))
            packed.compress_type = zipfile.ZIP_STORED
            out.writestr(packed, data)
    (OUT / path.name).write_bytes(buf.getvalue())
    print(f"{path.name}: {path.stat().st_size} -> {len(buf.getvalue())} bytes")
