"""Lecture-kit benchmarks, as ``BENCH <name> <value> <unit>`` lines.

``kit_ql_clean_seconds``: ``gradlesson kit -q l`` from a clean cache (render and kit; target < 60 s).
``kit_build_over_render``: building the 1080p60 kit from clips already rendered ÷ rendering them from a clean
cache, both in this run (target ≤ 0.25). Also the kit's size and its largest GIF.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gradcore.lessonfile import DEFAULT_LESSON_FILE, read_lesson_file
from gradlesson.kit import build_lesson_kit
from gradlesson.render import render_beats
from scenes import BEATS


def report(kit: Path, label: str) -> None:
    files = [p for p in kit.rglob("*") if p.is_file()]
    gifs = sorted((p.stat().st_size, p) for p in files if p.suffix == ".gif")
    print(f"BENCH kit_{label}_size_mb {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
    print(f"BENCH kit_{label}_largest_gif_mb {gifs[-1][0] / 1e6:.2f} MB ({gifs[-1][1].relative_to(kit)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-hq", action="store_true", help="only the -q l figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradlesson", "kit", "-q", "l", "--out", f"{tmp}/ql"], check=True, capture_output=True)
        print(f"BENCH kit_ql_clean_seconds {time.perf_counter() - start:.1f} s")
        report(Path(tmp) / "ql" / "kit", "ql")
        if args.skip_hq:
            return
        lesson = read_lesson_file(DEFAULT_LESSON_FILE).lesson
        media = Path(tmp) / "hq"
        start = time.perf_counter()
        results = render_beats(BEATS, "h", media, args.jobs, log=lambda line: None, lesson=lesson)
        render = time.perf_counter() - start
        start = time.perf_counter()
        build_lesson_kit(results, "h", lesson, str(DEFAULT_LESSON_FILE), media, args.jobs)
        build = time.perf_counter() - start
        print(f"BENCH lesson_1080p60_render_seconds {render:.1f} s")
        print(f"BENCH kit_1080p60_build_seconds {build:.1f} s")
        print(f"BENCH kit_build_over_render {build / render:.2f} ratio")
        report(media / "kit", "1080p60")


if __name__ == "__main__":
    main()
