"""Cut the font the pictures are drawn in: a subset of Noto Sans CJK SC (OFL-1.1) with the glyphs they use.

    .venv/bin/python tools/make_font_subset.py [SOURCE.ttc]

Why vendored and cut: a fresh machine has no Chinese font a user without root can rely on (Debian's
fonts-noto-cjk is 89 MB and needs root), the whole Noto Sans CJK is 33 MB, and the pictures draw a few hundred
characters — every character of the catalogue entries they draw (``picture.*``, the item names ``item.name.*``,
the plan actions ``action.*``, in both languages) and printable ASCII. So the subset is about 240 KB, one variable
font (weights 100–900) drawn at 400 and 700. tests/pictures/test_font.py fails when a text a picture draws has a
character the subset lacks: run this again then (it is deterministic) and commit the new file.

Source: without an argument the script downloads the PyPI package ``manimgx-fonts-cjk`` at a pinned version (it
ships Noto Sans CJK 2.004 as Noto publishes it) with pip and checks the font's sha256. The SC face of the
collection is taken (simplified-Chinese glyph forms). The subset is a Modified Version under the OFL: its names
carry no Reserved Font Name ("Source"), and the licence travels with it (bot/pictures/fonts/OFL.txt).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fontTools import subset  # noqa: E402
from fontTools.ttLib import TTCollection, TTFont  # noqa: E402

from bot.pictures.fonts import FONT_FILE, FONT_NAME, drawn_characters  # noqa: E402

PACKAGE = "manimgx-fonts-cjk==2026.9.26.post1"
MEMBER = "manimgx_fonts_cjk/NotoSansCJK-VF.otf.ttc"
SHA256 = "d3d8256cdec8dbcb3552284bc6b20c734dd60c2ee9df83b5758e34807c4bac32"
FACE = "Noto Sans CJK SC"
KEPT_NAMES = (0, 13, 14)
"""Copyright, licence and licence URL stay; every name that could carry "Source" or the original's is replaced."""


def source_font(work: Path) -> Path:
    subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(work), PACKAGE])
    wheel = next(work.glob("*.whl"))
    with zipfile.ZipFile(wheel) as z:
        data = z.read(MEMBER)
    if hashlib.sha256(data).hexdigest() != SHA256:
        sys.exit("the downloaded font is not the one this script was written for (sha256 differs)")
    path = work / "NotoSansCJK-VF.otf.ttc"
    path.write_bytes(data)
    return path


def sc_face(collection: Path) -> TTFont:
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == FACE:
            return font
    sys.exit(f"{collection} has no {FACE} face")


def cut(font: TTFont, text: str) -> TTFont:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = list(KEPT_NAMES)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    names = font["name"]
    names.names = [n for n in names.names if n.nameID in KEPT_NAMES]
    for name_id, value in ((1, FONT_NAME), (2, "Regular"), (3, f"{FONT_NAME};subset"), (4, FONT_NAME),
                           (6, FONT_NAME.replace(" ", "")), (16, FONT_NAME), (17, "Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
    if "fvar" in font:  # the named instances pointed at names just dropped: one instance name is kept, per weight
        for instance in font["fvar"].instances:
            instance.subfamilyNameID = 2
            instance.postscriptNameID = 0xFFFF
        for axis in font["fvar"].axes:
            axis.axisNameID = names.addName("Weight")
    if "STAT" in font:
        del font["STAT"]
    font.recalcTimestamp = False  # the same characters give the same bytes (the source's own dates are kept)
    return font


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(argv[0]) if argv else source_font(Path(tmp))
        font = cut(sc_face(source), "".join(sorted(drawn_characters())))
        font.save(str(FONT_FILE))
    print(f"wrote {FONT_FILE.relative_to(ROOT)} ({FONT_FILE.stat().st_size:,} bytes, "
          f"{len(drawn_characters())} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
