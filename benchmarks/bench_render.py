"""Render benchmarks: the whole lesson from a clean cache, as ``BENCH <name> <value> <unit>`` lines.

``lesson_1080p60_render_over_duration`` is render wall time ÷ video duration for the whole lesson at
1080p60 with the default number of jobs (≤ 1.0 means it renders faster than it plays); per-beat
ratios are each beat's own render time (measured while others render beside it) ÷ its duration.
``lesson_preview_ql_seconds`` is the whole lesson at -ql, and ``lesson_unchanged_rerender_seconds``
a second render of the unchanged lesson (all beats from the cache, then stitched again).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from gradlesson.render import render_beats
from gradlesson.video import duration, stitch
from scenes import BEATS


def render_lesson(quality: str, media: Path, jobs: int) -> tuple[float, list]:
    start = time.perf_counter()
    results = render_beats(BEATS, quality, media, jobs, log=lambda line: None)
    stitch([r.video for r in results], media / "lesson" / "lesson.mp4")
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-hq", action="store_true", help="only the -ql figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wall, results = render_lesson("l", Path(tmp) / "ql", args.jobs)
        print(f"BENCH lesson_preview_ql_seconds {wall:.1f} s")
        again, _ = render_lesson("l", Path(tmp) / "ql", args.jobs)
        print(f"BENCH lesson_unchanged_rerender_seconds {again:.2f} s")
        if args.skip_hq:
            return
        wall, results = render_lesson("h", Path(tmp) / "hq", args.jobs)
        total = sum(duration(r.video) for r in results)
        for r in results:
            print(f"BENCH {r.beat.name}_1080p60_render_over_duration {r.seconds / duration(r.video):.2f} ratio")
        print(f"BENCH lesson_1080p60_render_seconds {wall:.1f} s")
        print(f"BENCH lesson_1080p60_duration_seconds {total:.1f} s")
        print(f"BENCH lesson_1080p60_render_over_duration {wall / total:.2f} ratio")


if __name__ == "__main__":
    main()
