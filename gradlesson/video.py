"""Video plumbing after manim: durations, stitching clips into one lesson, contact sheets."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import av
import srt
from PIL import Image

__all__ = ["AAC", "contact_sheet", "duration", "frame_at", "has_audio", "replace_atomically", "section_clips", "stitch"]

# the sound of every voiced clip: ffmpeg's own AAC encoder, 128 kbit/s stereo, its "fast" coder: 2.9x faster than
# its default (twoloop; 472 s of the sine lesson's sound: 25.9 -> 8.9 s) and nearer the waveform (40.8 vs 25.4 dB SNR)
AAC = ("-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k")


def duration(video: Path) -> float:
    """Length of ``video`` in seconds (container duration)."""
    with av.open(str(video)) as container:
        if container.duration is None:  # not written by manim's encoder, but possible in a foreign file
            raise ValueError(f"{video}: the container gives no duration")
        return container.duration / av.time_base


def section_clips(video: Path, name: str) -> list[Path]:
    """The beat's section clips (one per step) in order, from manim's index ``sections/<name>.json``."""
    folder = video.parent / "sections"
    return [folder / section["video"] for section in json.loads((folder / f"{name}.json").read_text())]


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


def has_audio(video: Path) -> bool:
    """Whether ``video`` has a sound stream."""
    with av.open(str(video)) as container:
        return bool(container.streams.audio)


def stitch(videos: Sequence[Path], target: Path) -> Path:
    """Concatenate ``videos`` (same codec, size and rate) into ``target``, the picture without re-encoding, and
    their ``.srt`` subtitles (where present) into ``target.with_suffix('.srt')``, shifted in time.

    Voiced clips' sound is decoded, each padded or cut to its clip's length, joined and encoded once: copied, each
    clip's AAC priming (1024 samples) would push the speech later by 21 ms a clip (measured: 140 ms by the fourth)."""
    voiced = [has_audio(video) for video in videos]
    if any(voiced) and not all(voiced):
        raise ValueError(f"{target}: some clips have sound and some have none; render them with one voice")
    with tempfile.TemporaryDirectory() as scratch:
        clips = [Path(scratch) / f"{i}{video.suffix}" for i, video in enumerate(videos)]
        for clip, video in zip(clips, videos, strict=True):  # each by a plain name: ffmpeg's list cannot quote ' or a newline
            clip.symlink_to(video.resolve())
        listing = Path(scratch) / "clips.txt"
        listing.write_text("".join(f"file {clip.name}\n" for clip in clips))
        command = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
        if all(voiced) and videos:
            lengths = [f"{duration(video):.6f}" for video in videos]
            graph = "".join(f"[{i + 1}:a]apad=whole_dur={d},atrim=duration={d}[a{i}];" for i, d in enumerate(lengths))
            graph += "".join(f"[a{i}]" for i in range(len(videos))) + f"concat=n={len(videos)}:v=0:a=1[a]"
            for video in videos:
                command += ["-i", str(video.resolve())]
            command += ["-filter_complex", graph, "-map", "0:v", "-map", "[a]", "-c:v", "copy", *AAC]
        else:
            command += ["-c", "copy"]
        replace_atomically(target, lambda tmp: subprocess.run([*command, "-movflags", "+faststart", str(tmp)], check=True))
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
