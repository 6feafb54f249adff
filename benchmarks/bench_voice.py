"""Voice benchmarks: the spoken lesson from a clean cache, as ``BENCH <name> <value> <unit>`` lines.

``speech_seconds`` is the wall time piper takes to speak every line of the lesson into an empty speech cache;
``lesson_1080p60_voiced_render_over_duration`` is then the whole lesson's render at 1080p60 with that voice (manim,
the sound laid out and muxed into every clip, the stitching) ÷ its running time, from an empty render cache.
``--quality l`` measures the same at 480p15 (a quicker look; the target is set at 1080p60).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from gradcore.lessonfile import DEFAULT_LESSON_FILE, read_lesson_file
from gradlesson.quality import QUALITIES
from gradlesson.render import render_beats
from gradlesson.video import duration, stitch
from gradlesson.voice import choose_voice, voiced
from scenes import BEATS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quality", choices=tuple(QUALITIES), default="h")
    args = parser.parse_args()
    checked = read_lesson_file(DEFAULT_LESSON_FILE)
    voice = choose_voice("piper", "en", 1.0)
    assert voice is not None
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GRADLESSON_SPEECH_CACHE"] = str(Path(tmp) / "speech")
        start = time.perf_counter()
        lesson = voiced(checked.lesson, BEATS, voice, log=lambda line: None)
        print(f"BENCH speech_seconds {time.perf_counter() - start:.1f} s")
        media = Path(tmp) / "media"
        start = time.perf_counter()
        results = render_beats(BEATS, args.quality, media, args.jobs, log=lambda line: None, lesson_files=checked.sources, lesson=lesson)
        stitch([r.video for r in results], media / "lesson" / "lesson.mp4")
        wall = time.perf_counter() - start
        total = sum(duration(r.video) for r in results)
        size = f"{QUALITIES[args.quality].height}p{QUALITIES[args.quality].fps}"
        print(f"BENCH lesson_{size}_voiced_duration_seconds {total:.1f} s")
        print(f"BENCH lesson_{size}_voiced_render_seconds {wall:.1f} s")
        print(f"BENCH lesson_{size}_voiced_render_over_duration {wall / total:.2f} ratio")


if __name__ == "__main__":
    main()
