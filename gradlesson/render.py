"""Render beats with manim in parallel processes, skipping those whose inputs did not change.

A beat's cache key hashes everything its video depends on: its scene file and the project modules it
imports (transitively), the whole of ``gradcore``, ``manim.cfg``, the quality and manim's version.
``<media>/cache/renders.json`` maps each beat to its key and the sha256 of the video it produced;
it is written only after a render succeeds, so a killed render (which can leave a truncated file
behind, manim's own cache only checks that a file exists) is never reused: manim's cache is off.
"""

from __future__ import annotations

import ast
import configparser
import fcntl
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from gradcore import Lesson
from gradcore.lessonfile import DEFAULT_LESSON_FILE, load_lesson
from scenes import Beat

__all__ = [
    "QUALITY_FOLDERS",
    "RenderResult",
    "artefacts",
    "fingerprint",
    "intact",
    "read_manifest",
    "render_beats",
    "scene_key",
    "write_manifest",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
QUALITY_FOLDERS = {"d": "270p10", "l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}


@dataclass(frozen=True)
class RenderResult:
    beat: Beat
    video: Path
    cached: bool
    seconds: float


def _project_imports(path: Path) -> set[Path]:
    """Files of ``scenes``/``gradlesson`` modules that ``path`` imports, transitively."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for node in ast.walk(ast.parse(current.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                if name.split(".")[0] in ("scenes", "gradlesson"):
                    parts = name.split(".")
                    for candidate in (PROJECT_ROOT.joinpath(*parts).with_suffix(".py"), PROJECT_ROOT.joinpath(*parts, "__init__.py")):
                        if candidate.exists():
                            todo.append(candidate)
    return seen


def scene_key(beat: Beat, quality: str, lesson_files: Sequence[Path] = ()) -> str:
    """sha256 over the beat's name, its source files, gradcore, manim.cfg, quality and manim version,
    and the bytes of the lesson file and its CSV (``lesson_files``; none for the default lesson)."""
    files = sorted(_project_imports(beat.path) | set((PROJECT_ROOT / "gradcore").rglob("*.py")) | {PROJECT_ROOT / "manim.cfg"})
    digest = hashlib.sha256(f"{beat.name}|{quality}|manim {metadata.version('manim')}".encode())
    for file in files:
        digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
        digest.update(file.read_bytes())
    for index, file in enumerate(lesson_files):
        digest.update(f"|lesson file {index}|{len(file.read_bytes())}|".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def artefacts(video: Path, name: str) -> list[Path]:
    """Every file a beat's render owns: its video, its subtitles, its section clips and their index."""
    sections = video.parent / "sections"
    return [video, video.with_suffix(".srt"), *sorted(sections.glob(f"{name}_*.mp4")), sections / f"{name}.json"]


def fingerprint(video: Path, name: str) -> dict[str, str]:
    """sha256 of each of :func:`artefacts` that exists, by its path relative to the video's folder."""
    return {p.relative_to(video.parent).as_posix(): _sha256(p) for p in artefacts(video, name) if p.is_file()}


def intact(entry: object, key: str, video: Path, name: str) -> bool:
    """Whether a manifest entry says this beat was rendered from ``key`` and every file it then wrote is still
    there, unchanged (a deleted section clip or subtitle file, or a truncated video, means render again)."""
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("files"), dict):
        return False
    files = entry["files"]
    if "sections" not in "".join(files) or video.with_suffix(".srt").name not in files:
        return False
    return all((video.parent / rel).is_file() and _sha256(video.parent / rel) == sha for rel, sha in files.items())


def read_manifest(path: Path, log: Callable[[str], None]) -> dict:
    """The render manifest, or an empty one (said in one line) if it is missing, damaged or not a JSON object."""
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        log(f"gradlesson: {path} is damaged; rendering as if nothing were cached")
        return {}
    return manifest


def write_manifest(path: Path, manifest: dict) -> None:
    """Write the manifest atomically (a temporary file renamed over it): a full disk or a kill mid-write leaves
    the previous manifest, never an empty or half one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        staging.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _share_tex(src: Path, dst: Path) -> None:
    """Link into ``dst`` every TeX SVG of ``src`` that ``dst`` lacks. Names are content hashes and each
    file appears by an atomic rename, so readers never see half a file."""
    dst.mkdir(parents=True, exist_ok=True)
    for svg in src.glob("*.svg"):
        target = dst / svg.name
        if not target.exists():
            staging = dst / f".{svg.name}.{os.getpid()}"
            os.link(svg, staging)
            os.replace(staging, target)


def _config_for(tex_dir: Path, folder: Path) -> Path:
    """The project's manim.cfg with a TeX folder of this job's own: manim's TeX cache is not safe for
    concurrent writers (it only checks that an SVG file exists), so jobs share formulas through
    :func:`_share_tex` instead, before and after they run. A ``%`` in the path (an output folder may have
    one in its name) is written ``%%``, as manim's config reader expects."""
    parser = configparser.ConfigParser()
    parser.read(PROJECT_ROOT / "manim.cfg")
    parser["CLI"]["tex_dir"] = str(tex_dir).replace("%", "%%")
    path = folder / f"{tex_dir.name}.cfg"
    with path.open("w") as handle:
        parser.write(handle)
    return path


@contextmanager
def _folder_lock(media: Path, log: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<media>/cache/.lock`` while inside, waiting (and saying so) for a
    render into the same folder that holds it."""
    lock_path = media / "cache" / ".lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"gradlesson: waiting for another render into {media} to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def render_beats(
    beats: Sequence[Beat],
    quality: str,
    media: Path,
    jobs: int,
    log: Callable[[str], None] = print,
    lesson_files: Sequence[Path] = (),
    lesson: Lesson | None = None,
) -> list[RenderResult]:
    """Render ``beats`` into ``media`` (``jobs`` at a time); raise ``RuntimeError`` naming the first that failed.

    One render at a time per folder (:func:`_folder_lock`): a second ``gradlesson render`` into the same
    folder waits for the first and then finds what it rendered in the cache, so no TeX file, clip or
    manifest entry is written by two at once.

    ``lesson_files`` is a checked lesson file followed by the files it reads (its CSV), as
    :class:`gradcore.lessonfile.LessonFile` ``.sources`` gives them; manim gets the first in the
    environment variable ``GRADLESSON_LESSON``. Empty: the default lesson. ``lesson`` is that lesson if the
    caller has built it already (checking the file does): the jobs inherit it instead of building it again.
    """
    with _folder_lock(media, log):
        lesson_file = str(Path(lesson_files[0]).resolve()) if lesson_files else None
        manifest_path = media / "cache" / "renders.json"
        manifest = read_manifest(manifest_path, log)
        folder = QUALITY_FOLDERS[quality]

        def video_of(beat: Beat) -> Path:
            return media / "videos" / beat.path.stem / folder / f"{beat.name}.mp4"

        def up_to_date(beat: Beat, key: str) -> bool:
            return intact(manifest.get(f"{beat.name}/{quality}"), key, video_of(beat), beat.name)

        keys = {beat.name: scene_key(beat, quality, lesson_files) for beat in beats}  # of the inputs as the render starts
        stale = [beat for beat in beats if not up_to_date(beat, keys[beat.name])]
        if stale:  # jobs are forked from this process: import manim and the scenes once, and build the lesson once, here
            if lesson is None:
                lesson = load_lesson(Path(lesson_file) if lesson_file else DEFAULT_LESSON_FILE)
            stale = longest_first(stale, lesson)
            gc.freeze()  # and keep the collector off what the jobs inherit (its passes would copy every page)
        results: dict[str, RenderResult] = {}
        for beat in beats:
            if beat not in stale:
                results[beat.name] = RenderResult(beat, video_of(beat), True, 0.0)
                log(f"{video_of(beat)}  (cached)")
        running: dict[int, tuple[Beat, Path, multiprocessing.Process, float, Path]] = {}
        with tempfile.TemporaryDirectory() as scratch:
            try:
                todo = list(stale)
                while todo or running:
                    while todo and len(running) < max(1, jobs):
                        beat = todo.pop(0)
                        shared_tex, job_tex = media / "Tex", media / "Tex" / "jobs" / beat.name
                        _share_tex(shared_tex, job_tex)  # start from every formula already compiled
                        cfg, report = _config_for(job_tex, Path(scratch)), Path(scratch) / f"{beat.name}.error"
                        job = FORK.Process(target=_render_job, args=(beat, quality, media, cfg, lesson_file, lesson, report))
                        job.start()
                        running[job.sentinel] = (beat, job_tex, job, time.perf_counter(), report)
                    for sentinel in multiprocessing.connection.wait(list(running)):
                        beat, job_tex, job, start, report = running.pop(sentinel)
                        job.join()
                        if job.exitcode:
                            reason = report.read_text().strip() if report.exists() else f"exit {job.exitcode}"
                            kept = media / "logs" / f"{beat.name}.log"  # manim's own output, kept past the scratch folder
                            kept.parent.mkdir(parents=True, exist_ok=True)
                            if report.with_suffix(".log").exists():
                                shutil.copyfile(report.with_suffix(".log"), kept)
                            raise RuntimeError(f"rendering {beat.name} failed: {reason} (manim's log: {kept})")
                        _share_tex(job_tex, shared_tex)  # and give back the new ones
                        video = video_of(beat)
                        manifest[f"{beat.name}/{quality}"] = {"key": keys[beat.name], "files": fingerprint(video, beat.name)}
                        results[beat.name] = RenderResult(beat, video, False, time.perf_counter() - start)
                        log(f"{video}  ({results[beat.name].seconds:.1f} s)")
            finally:  # keep what did render, even if another beat failed
                for _, _, job, _, _ in running.values():
                    job.terminate()
                    job.join()
                write_manifest(manifest_path, manifest)
        return [results[beat.name] for beat in beats]


FORK = multiprocessing.get_context("fork")
# manim's settings for each quality: its named qualities, and the draft preview (d: 480x270 at 10 fps, to check
# timing, layout and subtitles in a fraction of the time of l), which manim has no name for
QUALITY_SETTINGS: dict[str, dict[str, object]] = {
    "d": {"pixel_width": 480, "pixel_height": 270, "frame_rate": 10},
    "l": {"quality": "low_quality"},
    "m": {"quality": "medium_quality"},
    "h": {"quality": "high_quality"},
    "k": {"quality": "fourk_quality"},
}


def _render_job(beat: Beat, quality: str, media: Path, cfg: Path, lesson_file: str | None, lesson: Lesson, report: Path) -> None:
    """Render ``beat`` in a process forked from :func:`render_beats` (manim, the scenes and ``lesson`` already
    in memory: no start-up cost), as ``manim render --config_file cfg --quality q (d: -r 480,270 --fps 10) --media_dir media --disable_caching
    --save_sections`` would. manim's own output goes to ``report.log``; a failure's last line to ``report``."""
    from manim import config, tempconfig

    from gradcore.lessonfile import LESSON_ENV
    from scenes.toolkit.style import use_lesson

    with open(report.with_suffix(".log"), "w") as output:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a job stops when told (the parent's handler cleans up, not the job's)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the jobs
    os.environ.pop(LESSON_ENV, None)
    if lesson_file:
        os.environ[LESSON_ENV] = lesson_file
    use_lesson(lesson)
    try:
        config.digest_file(cfg)
        settings = {**QUALITY_SETTINGS[quality], "media_dir": str(media), "disable_caching": True, "save_sections": True}
        with tempconfig({**settings, "input_file": str(beat.path)}):
            beat.load()().render()
    except BaseException as error:
        with open(report.with_suffix(".log"), "a") as log:  # the job's log, which the parent keeps
            traceback.print_exc(file=log)
        lines = traceback.format_exception_only(error)[-1].strip().splitlines() or [type(error).__name__]
        report.write_text(lines[-1])
        os._exit(1)


def longest_first(beats: Sequence[Beat], lesson: Lesson) -> list[Beat]:
    """``beats`` by planned duration, longest first: with a few jobs, a long beat started last would
    leave the other cores idle while it finishes. Loads the scenes (imports manim) to read their plans,
    which the forked jobs then inherit."""
    return sorted(beats, key=lambda beat: -beat.load().duration(lesson))
