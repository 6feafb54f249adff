"""Render beats with manim in parallel processes, skipping those whose inputs did not change.

A beat's video depends on code and on the lesson. Its cache key hashes the code: its scene file and the
project modules it imports (transitively), the whole of ``gradcore``, ``manim.cfg``, the quality and manim's
version. For the lesson, the job notes which parts its beat read (:class:`gradcore.reads.Reads`) and the
manifest keeps a digest of each: a beat is reused while those parts are unchanged, so editing the lesson
file's ``[[race]]`` re-renders only OptimizerRace, and editing one beat's file only that beat.
``<media>/cache/renders.json`` maps each beat to its key, its lesson parts' digests and the sha256 of every file it produced;
it is written only after a render succeeds, so a killed render (which can leave a truncated file
behind, manim's own cache only checks that a file exists) is never reused: manim's cache is off.
"""

from __future__ import annotations

import ast
import configparser
import fcntl
import functools
import gc
import hashlib
import importlib.util
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol, cast
from xml.etree import ElementTree

from gradcore import Lesson
from gradcore.lessonfile import DEFAULT_LESSON_FILE, load_lesson
from gradcore.reads import Reads, digests
from gradlesson.caches import user_cache
from gradlesson.progress import PlainProgress, Progress
from gradlesson.quality import QUALITIES
from gradlesson.video import section_clips
from gradlesson.voice import add_voice
from scenes import Beat

__all__ = [
    "RenderResult",
    "artefacts",
    "fingerprint",
    "imported_modules",
    "intact",
    "read_manifest",
    "render_beats",
    "scene_key",
    "write_manifest",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Counter(Protocol):
    value: int


@dataclass(frozen=True)
class RenderResult:
    beat: Beat
    video: Path
    cached: bool
    seconds: float


def imported_modules(source: str, package: str) -> set[str]:
    """Every module name ``source`` imports, resolved as Python does inside ``package`` (the importing module's
    package: ``scenes.beats`` for ``scenes/beats/x.py`` and for ``scenes/beats/__init__.py``). ``from a.b import c``
    gives ``a.b`` and ``a.b.c`` (``c`` may be a module); in ``scenes.beats``, ``from .x import y`` gives
    ``scenes.beats.x`` and ``scenes.beats.x.y``, ``from ..toolkit import style`` ``scenes.toolkit`` and
    ``scenes.toolkit.style``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
    return names


def _project_imports(path: Path, root: Path = PROJECT_ROOT) -> set[Path]:
    """Files of ``scenes``/``gradlesson`` modules under ``root`` that ``path`` (a file under ``root``) imports,
    transitively, relative imports included."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        stat = current.stat()
        todo.extend(_imported_files(current, root, stat.st_mtime_ns, stat.st_size))
    return seen


@functools.lru_cache(maxsize=256)
def _imported_files(path: Path, root: Path, mtime_ns: int, size: int) -> tuple[Path, ...]:
    """The project files ``path`` imports itself; parsed once while its modification time and size stay (the nine
    beats share the toolkit: their keys parsed it nine times)."""
    found = []
    for name in imported_modules(path.read_text(), ".".join(path.relative_to(root).parent.parts)):
        if name.split(".")[0] in ("scenes", "gradlesson"):
            parts = name.split(".")
            for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
                if candidate.exists():
                    found.append(candidate)
    return tuple(found)


def scene_key(beat: Beat, quality: str) -> str:
    """sha256 over the beat's name, its source files, gradcore, the voice's code, manim.cfg, quality and manim version (the
    lesson's part is the manifest's ``reads``: :func:`intact`)."""
    voice = PROJECT_ROOT / "gradlesson" / "voice.py"  # puts the sound into the beat's files
    files = sorted(_project_imports(beat.path) | set((PROJECT_ROOT / "gradcore").rglob("*.py")) | {PROJECT_ROOT / "manim.cfg", voice})
    digest = hashlib.sha256(f"{beat.name}|{quality}|manim {metadata.version('manim')}".encode())
    for file in files:
        digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def artefacts(video: Path, name: str) -> list[Path]:
    """Every file a beat's render owns: its video, its subtitles, its section clips and their index."""
    sections = video.parent / "sections"
    return [video, video.with_suffix(".srt"), *sorted(sections.glob(f"{name}_*{video.suffix}")), sections / f"{name}.json"]


def fingerprint(video: Path, name: str) -> dict[str, str]:
    """sha256 of each of :func:`artefacts` that exists, by its path relative to the video's folder."""
    return {p.relative_to(video.parent).as_posix(): _sha256(p) for p in artefacts(video, name) if p.is_file()}


def intact(entry: object, key: str, lesson: Lesson, video: Path, name: str) -> bool:
    """Whether a manifest entry says this beat was rendered from ``key`` and from the parts of ``lesson`` it read
    as they are now (same digests), and every file it then wrote is still there, unchanged (a deleted section
    clip or subtitle file, or a truncated video, means render again)."""
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("files"), dict):
        return False
    reads = entry.get("reads")
    if not isinstance(reads, dict) or not reads or digests(lesson, reads) != reads:
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
    the previous manifest, never an empty or half one. A folder in its place (damage :func:`read_manifest` has
    said, nothing to keep) is removed first: a file cannot be renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        staging.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _drop_damaged_svgs(folder: Path, log: Callable[[str], None]) -> None:
    """Delete every TeX SVG in ``folder`` that is not a whole XML document (a disk that filled up, or a cache from
    before formulas were renamed into place whole), saying so in one line: manim reuses any SVG that exists, so it
    would fail that beat on every run."""
    for svg in folder.glob("*.svg"):
        try:
            ElementTree.parse(svg)
        except (ElementTree.ParseError, OSError):
            svg.unlink(missing_ok=True)
            log(f"gradlesson: {svg} was damaged; compiling that formula again")


def tex_cache(media: Path, log: Callable[[str], None]) -> Path:
    """The compiled formulas every render shares (:func:`gradlesson.caches.user_cache` ``("tex")``: a formula
    is compiled once on this machine, whatever the output folder); ``<media>/Tex`` if that cannot be made."""
    folder = user_cache("tex")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as error:
        log(f"gradlesson: cannot keep formulas in {folder} ({error.strerror}); keeping them in {media / 'Tex'}")
        folder = media / "Tex"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def _config_for(tex_dir: Path, folder: Path) -> Path:
    """The project's manim.cfg, in ``folder``, with ``tex_dir`` as the jobs' TeX folder (one for all of them: each
    formula is compiled apart and published whole, :mod:`scenes.toolkit.internals.tex_files`) by a link in ``folder``
    (:func:`_linked`), written as it is: manim reads folders raw (a ``%`` is not an interpolation)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(PROJECT_ROOT / "manim.cfg")
    parser["CLI"]["tex_dir"] = str(_linked(folder / "tex", tex_dir))
    path = folder / "tex.cfg"
    with path.open("w") as handle:
        parser.write(handle)
    return path


def _linked(link: Path, folder: Path) -> Path:
    """``link``, made a symbolic link to ``folder``: the name manim is given for a folder, as it cannot take every
    path (its lists of clips to join cannot quote a ``'`` or a newline; its folder settings read ``{b}`` as a
    placeholder)."""
    link.symlink_to(folder.absolute(), target_is_directory=True)
    return link


@contextmanager
def folder_lock(lock_path: Path, what: str, log: Callable[[str], None]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` while inside, waiting (and saying so) for ``what`` (``another
    render into media``) that holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"gradlesson: waiting for {what} to finish")
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
    progress: Progress | None = None,
    transparent: bool = False,
) -> list[RenderResult]:
    """Render ``beats`` into ``media`` (``jobs`` at a time); raise ``RuntimeError`` naming the first that failed.

    One render at a time per folder (:func:`folder_lock` on ``<media>/cache/.lock``): a second ``gradlesson render`` into the same
    folder waits for the first and then finds what it rendered in the cache, so no TeX file, clip or
    manifest entry is written by two at once.

    ``lesson_files`` is a checked lesson file followed by the files it reads (its CSV), as
    :class:`gradcore.lessonfile.LessonFile` ``.sources`` gives them; manim gets the first in the
    environment variable ``GRADLESSON_LESSON``. Empty: the default lesson. ``lesson`` is that lesson if the
    caller has built it already (checking the file does): the jobs inherit it instead of building it again.

    ``progress`` hears of each beat (cached, queued with its planned frames, started, frames written so far,
    rendered or failed); by default a :class:`~gradlesson.progress.PlainProgress` that says through ``log``
    one line per beat as it ends. ``transparent``: on a transparent background (manim writes MOV; give it a
    ``media`` folder of its own, as its subtitles and sections have the opaque render's names). Each job counts the frames manim writes into a shared integer
    (:func:`scenes.toolkit.internals.counting_frames`), read every ``progress.interval`` seconds.
    """
    progress = progress if progress is not None else PlainProgress(log)
    with folder_lock(media / "cache" / ".lock", f"another render into {media}", log):
        lesson_file = str(Path(lesson_files[0]).resolve()) if lesson_files else None
        manifest_path = media / "cache" / "renders.json"
        manifest = read_manifest(manifest_path, log)
        folder = QUALITIES[quality].folder

        def video_of(beat: Beat) -> Path:
            return media / "videos" / beat.path.stem / folder / f"{beat.name}{'.mov' if transparent else '.mp4'}"

        if lesson is None:  # built once, here: the cache compares its parts, and the forked jobs inherit it
            lesson = load_lesson(Path(lesson_file) if lesson_file else DEFAULT_LESSON_FILE)

        def up_to_date(beat: Beat, key: str) -> bool:
            return intact(manifest.get(f"{beat.name}/{quality}"), key, lesson, video_of(beat), beat.name)

        keys = {beat.name: scene_key(beat, quality) for beat in beats}  # of the inputs as the render starts
        stale = [beat for beat in beats if not up_to_date(beat, keys[beat.name])]
        if stale:  # jobs are forked from this process: import manim and the scenes once, here
            stale = longest_first(stale, lesson)
            gc.freeze()  # and keep the collector off what the jobs inherit (its passes would copy every page)
        results: dict[str, RenderResult] = {}
        for beat in beats:
            if beat not in stale:
                results[beat.name] = RenderResult(beat, video_of(beat), True, 0.0)
                progress.cached(beat.name, video_of(beat))
            else:
                progress.queued(beat.name, planned_frames(beat, quality, lesson))
        running: dict[int, tuple[Beat, multiprocessing.context.ForkProcess, float, Path, Counter]] = {}
        shared_tex = tex_cache(media, log)
        _drop_damaged_svgs(shared_tex, log)  # once a render: the cache grows with every lesson the machine renders
        with tempfile.TemporaryDirectory() as scratch:
            cfg = _config_for(shared_tex, Path(scratch))
            linked = _linked(Path(scratch) / "media", media)  # the jobs' name for media
            try:
                todo = list(stale)
                while todo or running:
                    while todo and len(running) < max(1, jobs):
                        beat = todo.pop(0)
                        report = Path(scratch) / f"{beat.name}.error"
                        frames = FORK.RawValue("q", 0)  # frames the job has written: it adds, this process reads
                        job = FORK.Process(
                            target=_render_job,
                            args=(beat, quality, linked, video_of(beat), cfg, lesson_file, lesson, report, frames, transparent),
                        )
                        job.start()
                        running[job.sentinel] = (beat, job, time.perf_counter(), report, frames)
                        progress.started(beat.name)
                    ended = multiprocessing.connection.wait(list(running), timeout=progress.interval)
                    for beat, *_, frames in running.values():
                        progress.frames(beat.name, frames.value)
                    progress.show()
                    for sentinel in ended:
                        beat, job, start, report, frames = running.pop(cast(int, sentinel))  # a job's sentinel
                        job.join()
                        if job.exitcode:
                            progress.failed(beat.name)
                            reason = report.read_text().strip() if report.exists() else f"exit {job.exitcode}"
                            kept = media / "logs" / f"{beat.name}.log"  # manim's own output, kept past the scratch folder
                            kept.parent.mkdir(parents=True, exist_ok=True)
                            if report.with_suffix(".log").exists():
                                shutil.copyfile(report.with_suffix(".log"), kept)
                            raise RuntimeError(f"rendering {beat.name} failed: {reason} (manim's log: {kept})")
                        video = video_of(beat)
                        read = json.loads(report.with_suffix(".reads").read_text())  # the lesson's parts the beat drew
                        entry = {"key": keys[beat.name], "reads": digests(lesson, read), "files": fingerprint(video, beat.name)}
                        manifest[f"{beat.name}/{quality}"] = entry
                        results[beat.name] = RenderResult(beat, video, False, time.perf_counter() - start)
                        progress.rendered(beat.name, video, results[beat.name].seconds, frames.value)
            finally:  # keep what did render, even if another beat failed
                for _, job, *_ in running.values():
                    job.terminate()
                    job.join()
                write_manifest(manifest_path, manifest)
        return [results[beat.name] for beat in beats]


FORK = multiprocessing.get_context("fork")


def _render_job(
    beat: Beat,
    quality: str,
    media: Path,
    video: Path,
    cfg: Path,
    lesson_file: str | None,
    lesson: Lesson,
    report: Path,
    frames: Counter,
    transparent: bool = False,
) -> None:
    """Render ``beat`` in a process forked from :func:`render_beats` (manim, the scenes and ``lesson`` already
    in memory: no start-up cost), as ``manim render --config_file cfg --quality q --media_dir media --disable_caching
    --save_sections`` would, into ``video``; then, if the lesson is spoken (and the render opaque), puts its speech in
    the video and its section clips (:func:`gradlesson.voice.add_voice`: here, beside the other jobs, not in the
    parent between them). manim's own output goes to ``report.log``; a failure's last line to ``report``; the names
    of the lesson's parts the beat read (:class:`gradcore.reads.Reads`) to ``report.reads``; ``frames.value`` counts
    the frames written so far."""
    from manim import config, tempconfig

    from gradcore.lessonfile import LESSON_ENV
    from scenes.toolkit.internals.frame_counter import counting_frames
    from scenes.toolkit.style import use_lesson

    with open(report.with_suffix(".log"), "w") as output:
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__  # not the parent's live view, if it had taken them over
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a job stops when told (the parent's handler cleans up, not the job's)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the jobs
    os.environ.pop(LESSON_ENV, None)
    if lesson_file:
        os.environ[LESSON_ENV] = lesson_file
    read: set[str] = set()
    use_lesson(cast(Lesson, Reads(lesson, read)))
    try:
        config.digest_file(cfg)
        settings = {
            **QUALITIES[quality].settings,
            "media_dir": str(media),
            "disable_caching": True,
            "save_sections": True,
            "transparent": transparent,
        }
        with tempconfig({**settings, "input_file": str(beat.path)}), counting_frames(frames):
            beat.load()().render()
        if lesson.voicing is not None and not transparent:  # before the parent fingerprints its files
            add_voice(video, beat.load().plan(lesson), section_clips(video, beat.name), QUALITIES[quality].fps)
        report.with_suffix(".reads").write_text(json.dumps(sorted(read)))
    except BaseException as error:
        with open(report.with_suffix(".log"), "a") as log:  # the job's log, which the parent keeps
            traceback.print_exc(file=log)
        lines = traceback.format_exception_only(error)[-1].strip().splitlines() or [type(error).__name__]
        report.write_text(lines[-1])
        os._exit(1)


def planned_frames(beat: Beat, quality: str, lesson: Lesson) -> int:
    """The frames ``beat``'s plan has at ``quality``'s frame rate (manim plays each step's seconds at that rate;
    the steps are multiples of 0.2 s, whole frames at every quality)."""
    return round(beat.load().duration(lesson) * QUALITIES[quality].fps)


def longest_first(beats: Sequence[Beat], lesson: Lesson) -> list[Beat]:
    """``beats`` by planned duration, longest first: with a few jobs, a long beat started last would
    leave the other cores idle while it finishes. Loads the scenes (imports manim) to read their plans,
    which the forked jobs then inherit."""
    return sorted(beats, key=lambda beat: -beat.load().duration(lesson))
