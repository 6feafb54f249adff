"""Video plumbing after manim: durations, stitching clips into one lesson, contact sheets."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import av
import srt
from PIL import Image

__all__ = ["contact_sheet", "duration", "frame_at", "replace_atomically", "stitch"]


def duration(video: Path) -> float:
    """Length of ``video`` in seconds (container duration)."""
    with av.open(str(video)) as container:
        if container.duration is None:  # not written by manim's encoder, but possible in a foreign file
            raise ValueError(f"{video}: the container gives no duration")
        return container.duration / av.time_base


def frame_at(video: Path, seconds: float) -> Image.Image:
    """The frame shown at ``seconds``."""
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def replace_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Write via a temporary file in the same folder, so ``target`` is never half-written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def stitch(videos: Sequence[Path], target: Path) -> Path:
    """Concatenate ``videos`` (same codec, size and rate) into ``target`` without re-encoding, and
    their ``.srt`` subtitles (where present) into ``target.with_suffix('.srt')``, shifted in time."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.writelines(f"file '{v.resolve()}'\n" for v in videos)
    try:
        replace_atomically(
            target,
            lambda tmp: subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "concat",
                    "-safe",
                    "0",
                    "-i",
                    listing.name,
                    "-c",
                    "copy",
                    "-movflags",
                    "+faststart",
                    str(tmp),
                ],
                check=True,
            ),
        )
    finally:
        os.unlink(listing.name)
    subtitles, offset = [], timedelta()
    for video in videos:
        captions = video.with_suffix(".srt")
        if captions.exists():
            for cue in srt.parse(captions.read_text()):
                subtitles.append(srt.Subtitle(0, cue.start + offset, cue.end + offset, cue.content))
        offset += timedelta(seconds=duration(video))
    replace_atomically(target.with_suffix(".srt"), lambda tmp: tmp.write_text(srt.compose(subtitles)))
    return target


def contact_sheet(video: Path, target: Path, frames: int = 6, columns: int = 3, width: int = 400) -> Path:
    """A PNG grid of ``frames`` frames taken evenly through ``video`` (256 colours, to stay small)."""
    length = duration(video)
    shots = [frame_at(video, length * (i + 0.5) / frames) for i in range(frames)]
    height = round(width * shots[0].height / shots[0].width)
    rows = -(-frames // columns)
    gap = 4
    sheet = Image.new("RGB", (columns * width + (columns - 1) * gap, rows * height + (rows - 1) * gap), "#404040")
    for i, shot in enumerate(shots):
        sheet.paste(
            shot.resize((width, height), Image.Resampling.LANCZOS), ((i % columns) * (width + gap), (i // columns) * (height + gap))
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target
