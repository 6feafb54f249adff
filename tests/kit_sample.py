"""A small synthetic kit (two beats of two steps, ffmpeg's test pictures) for the kit's unit tests: the
presenter, the slides and the handout read a kit folder and its manifest, whatever made the clips."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gradlesson.kit.manifest import KitBeat, KitLesson, KitManifest, KitStep

NARRATION = {
    ("DerivativeAsSlope", "curve"): "The slope of x² at a point is the slope of its tangent.",
    ("DerivativeAsSlope", "secant"): "As h shrinks, the secant turns into the tangent: f'(1) = 2.",
    ("FittedLine", "data"): "Forty points, scattered around a line.",
    ("FittedLine", "descend"): "After 100 steps: b = -29.82, m = 5.012.",
}
FORMULAS = {"DerivativeAsSlope": (r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",), "FittedLine": (r"y = m x + b",)}
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20" viewBox="0 0 120 20">'
    '<rect x="1" y="1" width="118" height="18" fill="none" stroke="black"/></svg>'
)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


H264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart")


def _source(seconds: float, hue: int, width: int, height: int, fps: int) -> tuple[str, ...]:
    """ffmpeg's input: its test picture for ``seconds``, turned by ``hue`` degrees."""
    return ("-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds},hue=h={hue}")


def _clip(target: Path, seconds: float, hue: int, width: int, height: int, fps: int) -> None:
    _ffmpeg(*_source(seconds, hue, width, height, fps), *H264, str(target))


def _step(stem: Path, seconds: float, hue: int, width: int, height: int, fps: int) -> None:
    """A step's clip, its first and last frame and its GIF (at 5 frames a second), from one ffmpeg run."""
    last = round(seconds * fps) - 1
    graph = f"[0:v]split=4[clip][a][b][c];[a]select=eq(n\\,0)[first];[b]select=eq(n\\,{last})[last];[c]fps=5[gif]"
    _ffmpeg(
        *_source(seconds, hue, width, height, fps), "-filter_complex", graph,
        "-map", "[clip]", *H264, f"{stem}.mp4",
        "-map", "[first]", "-frames:v", "1", "-update", "1", f"{stem}-first.png",
        "-map", "[last]", "-frames:v", "1", "-update", "1", f"{stem}-last.png",
        "-map", "[gif]", f"{stem}.gif",
    )  # fmt: skip


def _vtt(target: Path, cues: list[tuple[float, float, str]]) -> None:
    def stamp(t: float) -> str:
        return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}"

    target.write_text("WEBVTT\n\n" + "".join(f"{stamp(a)} --> {stamp(b)}\n{text}\n\n" for a, b, text in cues), encoding="utf-8")


def synthetic_kit(folder: Path, width: int = 320, height: int = 180, fps: int = 10) -> KitManifest:
    """Write a kit of two beats (DerivativeAsSlope, FittedLine) of two 1.2 s steps each, plus a 0.6 s fade per
    beat, into ``folder`` (clips, stills, GIFs, captions, beat and lesson videos, manifest.json) and return its
    manifest. No presenter, slides or handout: those are what the tests build."""
    folder.mkdir(parents=True, exist_ok=True)
    beats, t, hue, chapters = [], 0.0, 0, []
    lesson_cues: list[tuple[float, float, str]] = []
    for number, name in enumerate(("DerivativeAsSlope", "FittedLine"), start=1):
        beat_dir = folder / f"{number:02d}-{name}"
        beat_dir.mkdir(exist_ok=True)
        start, steps, beat_cues = t, [], []
        for n, key in enumerate(k for b, k in NARRATION if b == name):
            stem = f"{beat_dir.name}/{n + 1:02d}-{key}"
            _step(folder / stem, 1.2, hue, width, height, fps)
            hue += 60
            text = NARRATION[(name, key)]
            _vtt(folder / f"{stem}.vtt", [(0.0, 1.2, text)])
            beat_cues.append((t - start, t - start + 1.2, text))
            lesson_cues.append((t, t + 1.2, text))
            steps.append(
                KitStep(
                    n + 1,
                    key,
                    text,
                    round(t, 6),
                    round(t + 1.2, 6),
                    f"{stem}.mp4",
                    f"{stem}.vtt",
                    f"{stem}-first.png",
                    f"{stem}-last.png",
                    f"{stem}.gif",
                )
            )
            t += 1.2
        t += 0.6  # the fade, in the beat's video only
        video = f"{beat_dir.name}/{name}.mp4"
        _clip(folder / video, round(t - start, 6), hue, width, height, fps)
        _vtt(folder / f"{beat_dir.name}/{name}.vtt", beat_cues)
        formulas = FORMULAS[name]
        (folder / "formulas").mkdir(exist_ok=True)
        svgs = []
        for i, _ in enumerate(formulas, start=1):
            svg = f"formulas/{name}-{i:02d}.svg"
            (folder / svg).write_text(SVG)
            svgs.append(svg)
        title = {"DerivativeAsSlope": "The derivative as a slope", "FittedLine": "The fitted line"}[name]
        chapters.append((start, t, title))
        beats.append(
            KitBeat(
                number, name, title, round(start, 6), round(t, 6), video, f"{beat_dir.name}/{name}.vtt", formulas, tuple(svgs), tuple(steps)
            )
        )
    _clip(folder / "lesson.mp4", round(t, 6), 0, width, height, fps)
    _vtt(folder / "lesson.vtt", lesson_cues)
    _vtt(folder / "chapters.vtt", chapters)
    (folder / "descent.csv").write_text("step,m,b,loss,dL_dm,dL_db\n0,-15,-30,1000,1,1\n")
    (folder / "lesson.json").write_text("{}\n")
    numbers = {
        "descent": {"optimizer": "gd", "steps": 100, "m": 5.0123456789, "b": -29.8212345678, "loss": 33.1912345678},
        "optimum": {"m": 5.0234567891, "b": -29.9123456789, "loss": 33.1876543219},
        "race": [
            {"label": "GD", "optimizer": "gd", "lr": 0.012, "loss": 40.25, "first_within": 61, "diverged_at": None},
            {"label": "Adam", "optimizer": "adam", "lr": 1.0, "loss": 33.2, "first_within": 38, "diverged_at": None},
        ],
    }
    files = {
        "presenter": "index.html", "pptx": "lesson.pptx", "handout": "handout.pdf", "video": "lesson.mp4",
        "captions": "lesson.vtt", "chapters": "chapters.vtt", "descent_csv": "descent.csv", "lesson_json": "lesson.json",
    }  # fmt: skip
    lesson = KitLesson("Introduction to gradients", "lessons/intro_to_gradients.toml", "d", width, height, fps, round(t, 6))
    manifest = KitManifest("0" * 64, lesson, files, tuple(beats), numbers)
    (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest
