"""Screenshots of a kit's presenter for the docs: ``python scripts/kit_screenshots.py <kit> <docs>`` writes
``<docs>/kit_step.png`` (a step playing, its caption on screen) and ``<docs>/kit_speaker.png`` (the speaker view).

Headless Chromium through selenium (``pip install -e '.[test]'``; Debian chromium and chromium-driver)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gradlesson.kit.browse import missing_browser, screenshots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kit", type=Path, help="a kit folder with its index.html")
    parser.add_argument("docs", type=Path, help="where the two PNGs go")
    parser.add_argument("--size", default="1280x720", help="the main window's page size, WxH (default 1280x720)")
    args = parser.parse_args()
    if not (args.kit / "index.html").is_file():
        parser.error(f"{args.kit}/index.html is missing: build the kit first")
    if reason := missing_browser():
        parser.error(reason)
    width, height = (int(n) for n in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="kit-shots-") as profile:
        for png in screenshots(args.kit, args.docs, Path(profile) / "profile", width, height):
            print(f"{png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
