"""The guard on lessons that pass the checks: no beat's render job takes more than 2 GB or 5× the seed beat's
time. Each beat of each lesson renders alone at -ql from a clean cache (TeX warmed first by the seed), in its
own ``gradlesson render`` process, so its wall time and peak memory (``ru_maxrss`` of the children) are its
own; prints ``BENCH guard_<lesson>_<beat>_time_over_seed <ratio>`` and ``..._peak_mb <MB>`` lines, and the
worst of each."""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scenes import BEATS

ROOT = Path(__file__).resolve().parents[1]


def render(beat: str, lesson: Path | None, out: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of rendering one beat in a fresh process."""
    command = [sys.executable, "-m", "gradlesson", "render", beat, "-q", "l", "-j", "1", "--out", str(out)]
    if lesson is not None:
        command += ["--lesson", str(lesson)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far, in kB
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lessons", nargs="*", default=["many_points", "house_prices"], help="lesson names in lessons/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        media = Path(scratch)
        seed = {beat.name: render(beat.name, None, media / "seed")[0] for beat in BEATS}  # also fills the TeX cache
        worst_ratio, worst_peak = 0.0, 0.0
        for name in args.lessons:
            for beat in BEATS:
                seconds, peak = render(beat.name, ROOT / "lessons" / f"{name}.toml", media / name)
                ratio = seconds / seed[beat.name]
                worst_ratio, worst_peak = max(worst_ratio, ratio), max(worst_peak, peak)
                print(f"BENCH guard_{name}_{beat.name}_time_over_seed {ratio:.2f} x")
                print(f"BENCH guard_{name}_{beat.name}_peak_mb {peak:.0f} MB")
        print(f"BENCH guard_worst_time_over_seed {worst_ratio:.2f} x (target <= 5)")
        print(f"BENCH guard_worst_peak_mb {worst_peak:.0f} MB (target <= 2048; the largest process so far)")


if __name__ == "__main__":
    main()
