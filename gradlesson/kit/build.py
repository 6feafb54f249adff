"""Build the lecture kit (``gradlesson kit``) from rendered beats: one folder with every step's clip, stills, GIF
and captions, each beat's and the whole lesson's video with captions and chapters, the lesson's numbers and
``manifest.json``; the presenter, the slides and the handout are written from that manifest.

The kit is built in a folder beside its target and swapped into place at the end (:func:`_swap_into_place`):
a build killed at any point leaves the previous kit, or none, never half of one. Its key (:func:`kit_key`)
covers everything it is built from, so an unchanged lesson rebuilds nothing.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import av
import srt
import webvtt

from gradcore import Lesson
from gradcore.reads import digests
from gradlesson.export import export_lesson
from gradlesson.kit.formulas import formula_svgs
from gradlesson.kit.manifest import KitBeat, KitLesson, KitManifest, KitStep
from gradlesson.kit.manifest import read_manifest as read_kit_manifest
from gradlesson.quality import QUALITIES
from gradlesson.render import RenderResult, folder_lock
from gradlesson.video import duration, section_clips, stitch

__all__ = ["GIF_MAX_BYTES", "GIF_MAX_WIDTH", "KitBuild", "build_kit", "kit_key"]

KIT_CODE = Path(__file__).resolve().parent
GIF_MAX_WIDTH = 640  # pixels: what Google Slides and Keynote show well
GIF_MAX_BYTES = 3_000_000
GIF_TRIES = ((GIF_MAX_WIDTH, 10), (480, 8), (360, 6), (240, 5))  # (width, fps), tried in turn until one fits
FILES = {
    "presenter": "index.html",
    "pptx": "lesson.pptx",
    "handout": "handout.pdf",
    "video": "lesson.mp4",
    "captions": "lesson.vtt",
    "chapters": "chapters.vtt",
    "descent_csv": "descent.csv",
    "lesson_json": "lesson.json",
}


@dataclass(frozen=True)
class KitBuild:
    """What :func:`build_kit` did: the kit's folder and manifest, and whether it was rebuilt."""

    folder: Path
    manifest: KitManifest
    rebuilt: bool


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True, capture_output=True)


def _faststart(source: Path, target: Path) -> None:
    """``source`` remuxed (no re-encoding) with its index (``moov``) before its data: it plays while it loads."""
    _ffmpeg("-i", str(source), "-map", "0", "-c", "copy", "-movflags", "+faststart", str(target))


def _gif_graph(width: int, fps: int) -> str:
    """ffmpeg's filters for a GIF ``width`` wide at ``fps``: one palette of the clip's colours, ordered dither."""
    return (
        f"fps={fps},scale={width}:-2:flags=lanczos,split[a][b];[a]palettegen=max_colors=128:stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle"
    )


def _gif_tries(source_width: int, source_fps: int) -> list[tuple[int, int]]:
    return [(min(width, source_width), min(fps, source_fps)) for width, fps in GIF_TRIES]


def _step_files(clip: Path, stem: Path, source_width: int, source_fps: int) -> None:
    """Everything a step's clip gives, in one decoding pass: ``stem.mp4`` (remuxed with faststart),
    ``stem-first.png`` and ``stem-last.png`` (its first and last frame) and ``stem.gif`` (:func:`_gif`'s first
    try; the smaller ones follow if it is too large)."""
    with av.open(str(clip)) as container:
        last = container.streams.video[0].frames - 1
    width, fps = _gif_tries(source_width, source_fps)[0]
    graph = f"[0:v]split=3[a][b][c];[a]select=eq(n\\,0)[first];[b]select=eq(n\\,{last})[last];[c]{_gif_graph(width, fps)}[gif]"
    _ffmpeg(
        "-i", str(clip), "-filter_complex", graph,
        "-map", "0:v", "-map", "0:a?", "-c", "copy", "-movflags", "+faststart", str(stem.with_suffix(".mp4")),
        "-map", "[first]", "-frames:v", "1", "-update", "1", str(stem.with_name(f"{stem.name}-first.png")),
        "-map", "[last]", "-frames:v", "1", "-update", "1", str(stem.with_name(f"{stem.name}-last.png")),
        "-map", "[gif]", "-loop", "-1", str(stem.with_suffix(".gif")),
    )  # fmt: skip
    if stem.with_suffix(".gif").stat().st_size > GIF_MAX_BYTES:
        _gif(clip, stem.with_suffix(".gif"), source_width, source_fps)


def _gif(clip: Path, target: Path, source_width: int, source_fps: int) -> None:
    """A palette-optimised GIF of ``clip`` that plays once and holds its last frame, at most
    :data:`GIF_MAX_WIDTH` wide and :data:`GIF_MAX_BYTES` large (smaller and slower tries until it fits)."""
    for width, fps in _gif_tries(source_width, source_fps):
        _ffmpeg("-i", str(clip), "-filter_complex", _gif_graph(width, fps), "-loop", "-1", str(target))
        if target.stat().st_size <= GIF_MAX_BYTES:
            return
    raise RuntimeError(f"{clip.name}: no GIF of it fits in {GIF_MAX_BYTES / 1e6:g} MB")


def _vtt(target: Path, cues: Sequence[tuple[float, float, str]]) -> None:
    """WebVTT captions (webvtt-py writes and escapes them)."""

    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    vtt = webvtt.WebVTT(captions=[webvtt.Caption(stamp(a), stamp(b), text) for a, b, text in cues if text])
    vtt.save(str(target))


def _srt_cues(path: Path) -> list[tuple[float, float, str]]:
    return [(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in srt.parse(path.read_text(encoding="utf-8"))]


def _numbers(lesson: Lesson) -> dict[str, object]:
    """The lesson's numbers at full precision: the descent's end, the optimum, the race."""
    d, spec = lesson.descent, lesson.config.descent
    race = [
        {
            "label": run.entry.label,
            "optimizer": run.entry.optimizer,
            "lr": float(dict(run.entry.settings).get("lr", 0.0)),  # type: ignore[arg-type]
            "loss": float(run.trajectory.loss[-1]),
            "first_within": run.outcome.first_within,
            "diverged_at": run.outcome.diverged_at,
        }
        for run in lesson.race
    ]
    return {
        "descent": {
            "optimizer": spec.optimizer,
            "lr": spec.lr,
            "steps": len(d.loss) - 1,
            "m": float(d.m[-1]),
            "b": float(d.b[-1]),
            "loss": float(d.loss[-1]),
            "converged": lesson.outcome.converged,
        },
        "optimum": {"m": lesson.optimum.m, "b": lesson.optimum.b, "loss": lesson.optimum.loss},
        "race": race,
    }


def kit_key(results: Sequence[RenderResult], render_manifest: dict, quality: str, lesson: Lesson, transparent: bool) -> str:
    """sha256 over the kit's code (and web files), every clip's checksums as the render manifest holds them, the
    lesson's parts the kit shows (its config, descent, optimum, race) and the options."""
    digest = hashlib.sha256(f"kit|{quality}|transparent={transparent}".encode())
    for file in sorted(p for p in KIT_CODE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(file.relative_to(KIT_CODE)).encode())
        digest.update(file.read_bytes())
    for result in results:
        entry = render_manifest.get(f"{result.beat.name}/{quality}", {})
        digest.update(json.dumps([result.beat.name, entry.get("files"), entry.get("key")], sort_keys=True).encode())
    digest.update(json.dumps(digests(lesson, ["config", "descent", "optimum", "race", "outcome"]), sort_keys=True).encode())
    return digest.hexdigest()


def _is_current(folder: Path, key: str) -> KitManifest | None:
    """The kit in ``folder`` if it was built from ``key`` and every file its manifest names is there."""
    try:
        manifest = read_kit_manifest(folder / "manifest.json")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    named = [*manifest.files.values(), *(p for beat in manifest.beats for p in _beat_files(beat))]
    return manifest if manifest.key == key and all((folder / p).is_file() for p in named) else None


def _beat_files(beat: KitBeat) -> list[str]:
    steps = [p for s in beat.steps for p in (s.video, s.captions, s.first, s.last, s.gif)]
    return [beat.video, beat.captions, *beat.formula_svgs, *beat.transparent.values(), *steps]


RENAME_EXCHANGE = 2  # linux/fs.h


def _swap_into_place(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is in one step: ``renameat2(RENAME_EXCHANGE)`` swaps the two folders
    atomically, then the old kit (now at ``staging``) is deleted; a first kit is a plain rename."""
    if not target.exists():
        os.rename(staging, target)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd = -100
    if libc.renameat2(at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(target), RENAME_EXCHANGE) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot swap {staging} into {target}: {os.strerror(error)}")
    shutil.rmtree(staging)


def _clear_leftovers(target: Path) -> None:
    """Delete staging folders that a killed build left beside ``target`` (the lock is held: none is in use)."""
    for old in target.parent.glob(f".{target.name}.building-*"):
        shutil.rmtree(old, ignore_errors=True)


Writer = Callable[[Path, KitManifest], object]


def build_kit(
    results: Sequence[RenderResult],
    quality: str,
    lesson: Lesson,
    lesson_file: str,
    target: Path,
    render_manifest: dict,
    jobs: int = os.cpu_count() or 1,
    transparent: dict[str, Path] | None = None,
    writers: Sequence[Writer] = (),
    log: Callable[[str], None] = print,
) -> KitBuild:
    """Build the kit of the rendered ``results`` (in lesson order) into ``target``, ``jobs`` ffmpeg runs at a
    time, unless the kit there is current. ``transparent``: each beat's transparent render by name (converted
    to WebM and MOV). ``writers`` then write the presenter, the slides and the handout from the manifest."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    key = kit_key(results, render_manifest, quality, lesson, transparent is not None)
    with folder_lock(target.parent / f".{target.name}.lock", f"another kit build into {target}", log):  # one at a time
        current = _is_current(target, key)
        if current is not None:
            return KitBuild(target, current, False)
        _clear_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
        try:
            manifest = _build(staging, results, quality, lesson, lesson_file, key, jobs, transparent or {})
            with ThreadPoolExecutor(max(1, jobs)) as pool:  # typst and zlib let go of the GIL: they run side by side
                for future in [pool.submit(write, staging, manifest) for write in writers]:
                    future.result()
            (staging / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
            os.chmod(staging, 0o755)  # mkdtemp's folder is private
            _swap_into_place(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return KitBuild(target, manifest, True)


def _build(
    kit: Path,
    results: Sequence[RenderResult],
    quality: str,
    lesson: Lesson,
    lesson_file: str,
    key: str,
    jobs: int,
    transparent: dict[str, Path],
) -> KitManifest:
    """Every clip, still, GIF, caption file, formula and number of the kit into ``kit``; the manifest."""
    q = QUALITIES[quality]
    work: list[Callable[[], None]] = []
    plans = []
    for number, result in enumerate(results, start=1):
        scene = result.beat.load()
        steps = scene.steps(lesson)
        clips = section_clips(result.video, result.beat.name)
        if len(clips) != len(steps) + 1:  # the steps and the closing fade
            raise RuntimeError(f"{result.video}: {len(clips)} section clips for {len(steps)} steps and the fade; render it again")
        folder = kit / f"{number:02d}-{result.beat.name}"
        folder.mkdir()
        stems = [folder / f"{n:02d}-{step.key}" for n, step in enumerate(steps, start=1)]
        for clip, stem in zip(clips, stems, strict=False):  # the fade's clip is left out
            work.append(partial(_step_files, clip, stem, q.width, q.fps))
        work.append(partial(_faststart, result.video, folder / f"{result.beat.name}.mp4"))
        if result.beat.name in transparent:
            work.extend(_transparent_work(transparent[result.beat.name], kit / "transparent", result.beat.name))
        plans.append((number, result, scene, steps, stems, folder))
    formulas = {result.beat.name: scene.formulas(lesson) for _, result, scene, *_ in plans}
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        svgs = pool.submit(formula_svgs, formulas, kit / "formulas")
        for future in [pool.submit(job) for job in work]:
            future.result()
        svg_paths = svgs.result()
    stitch([r.video for r in results], kit / "lesson.mp4")
    lesson_srt = kit / "lesson.srt"
    _vtt(kit / "lesson.vtt", _srt_cues(lesson_srt))
    lesson_srt.unlink()
    export_lesson(lesson, kit)

    from scenes.toolkit.narration import beat_title  # imports manim, as the beats loaded above did

    beats, t = [], 0.0
    for number, result, scene, steps, stems, folder in plans:
        beat, start, kit_steps = result.beat, t, []
        _vtt(folder / f"{beat.name}.vtt", _srt_cues(result.video.with_suffix(".srt")))
        for n, (step, stem) in enumerate(zip(steps, stems, strict=True), start=1):
            seconds = duration(stem.with_suffix(".mp4"))
            _vtt(stem.with_suffix(".vtt"), step.subtitles())
            rel = stem.relative_to(kit).as_posix()
            kit_steps.append(
                KitStep(
                    n,
                    step.key,
                    step.caption,
                    round(t, 6),
                    round(t + seconds, 6),
                    f"{rel}.mp4",
                    f"{rel}.vtt",
                    f"{rel}-first.png",
                    f"{rel}-last.png",
                    f"{rel}.gif",
                    dict(step.numbers),
                )
            )
            t += seconds
        t = start + duration(folder / f"{beat.name}.mp4")  # the fade too
        alpha = {kind: f"transparent/{beat.name}.{kind}" for kind in ("webm", "mov")} if beat.name in transparent else {}
        beats.append(
            KitBeat(
                number,
                beat.name,
                beat_title(scene, lesson) or beat.name,
                round(start, 6),
                round(t, 6),
                f"{folder.name}/{beat.name}.mp4",
                f"{folder.name}/{beat.name}.vtt",
                formulas[beat.name],
                tuple(p.relative_to(kit).as_posix() for p in svg_paths[beat.name]),
                tuple(kit_steps),
                alpha,
            )
        )
    _vtt(kit / "chapters.vtt", [(b.start, b.end, f"{b.number}. {b.title}") for b in beats])
    info = KitLesson(lesson.config.title, lesson_file, quality, q.width, q.height, q.fps, round(duration(kit / "lesson.mp4"), 6))
    return KitManifest(key, info, dict(FILES), tuple(beats), _numbers(lesson))


def _transparent_work(video: Path, folder: Path, name: str) -> list[Callable[[], None]]:
    """Convert a transparent render (manim's MOV) to VP9 with alpha in WebM and ProRes 4444 in MOV. VP9 in
    libvpx's realtime mode: on a 270p beat 7.7x faster than its default (good, cpu-used 0) for 0.1 dB less PSNR
    of the colours (premultiplied), 1.6 dB less of the alpha, and a file 36% larger."""
    folder.mkdir(exist_ok=True)
    webm = ("-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-b:v", "0", "-crf", "32", "-row-mt", "1", "-auto-alt-ref", "0",
            "-deadline", "realtime", "-cpu-used", "6")  # fmt: skip
    mov = ("-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", "-vendor", "apl0")
    return [
        partial(_ffmpeg, "-i", str(video), *webm, str(folder / f"{name}.webm")),
        partial(_ffmpeg, "-i", str(video), *mov, str(folder / f"{name}.mov")),
    ]
