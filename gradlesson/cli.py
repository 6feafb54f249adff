"""gradlesson: check the machine, export the lesson's numbers, list and render its scenes."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from gradcore.narration import VOICES
from gradlesson.checks import run_checks
from gradlesson.quality import QUALITIES

__all__ = ["main"]

LESSON_HELP = "lesson file (TOML, see README 'Lesson files'; default: the seed lesson, lessons/intro_to_gradients.toml)"

VOICE_CHOICES = (*VOICES, "best")  # best: chosen here, not written in a lesson file
VOICE_HELP = (
    "who speaks the lines, instead of the lesson file's [narration] voice: none (subtitles only), espeak (espeak-ng), "
    "piper (piper-tts, English), best (piper where it speaks the lesson's language, else espeak)"
)

RENDER_EPILOG = (
    "On a terminal a live table shows each scene's frames, elapsed time and time left; elsewhere one line per scene "
    "as it ends. A summary table follows (scene, video length, render time, size, cached or rendered). "
    "GRADLESSON_PROGRESS=live or plain chooses instead."
)


class UsageError(Exception):
    """Bad input found before any work starts: one line, exit 2."""


def _check(args: argparse.Namespace) -> int:
    failed = 0
    for check, result in run_checks():
        print(f"{'ok' if result.ok else 'MISSING':8} {check.name:8} {result.detail}")
        if not result.ok:
            failed += 1
            print(f"{'':8} fix: {check.fix}")
    return 1 if failed else 0


def _unwritable(path: Path, problem: str, option: str) -> UsageError:
    return UsageError(f"cannot write to output folder {path}: {problem}; choose another with {option}")


def _writable_dir(path: Path, option: str = "--out") -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".gradlesson-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise _unwritable(path, error.strerror or str(error), option) from None
    return path


def _refuse_unwritable(path: Path, option: str) -> None:
    """A :class:`UsageError` naming ``option`` if ``path`` plainly cannot be a folder this process writes in (it, or
    the nearest folder above it that exists, is a file or not writable), found without writing anything: so every
    folder a command writes to is checked before any is made."""
    nearest = next(folder for folder in (path.absolute(), *path.absolute().parents) if folder.exists())
    if not nearest.is_dir():
        raise _unwritable(path, os.strerror(errno.EEXIST if nearest == path.absolute() else errno.ENOTDIR), option)
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise _unwritable(path, os.strerror(errno.EACCES), option)


def _lesson_file(args: argparse.Namespace):  # -> gradcore.lessonfile.LessonFile
    """The checked lesson file: ``--lesson``, else the default lesson's file (one source: the file a
    lecturer edits is the one read); any problem is a :class:`UsageError`, raised before anything is written."""
    from gradcore import lessonfile

    try:
        checked = lessonfile.read_lesson_file(args.lesson or lessonfile.DEFAULT_LESSON_FILE)
        if checked.config.narration.lines:  # its beats, steps and $names are the scenes' (imports manim)
            from scenes import check_narration

            check_narration(checked.path, checked.lesson)
    except lessonfile.LessonFileError as error:
        raise UsageError(str(error)) from None
    for warning in checked.warnings:  # settings that run but do not do what a lesson wants: said, not refused
        print(f"gradlesson: warning: {warning}", file=sys.stderr)
    return checked


def _lesson(args: argparse.Namespace):  # -> gradcore.Lesson
    return _lesson_file(args).lesson


def _voice(args: argparse.Namespace, checked):  # (LessonFile) -> gradlesson.voice.Voice | None
    """The voice that speaks: ``--voice``, else the file's ``[narration] voice`` (None: silent); a
    :class:`UsageError` if it cannot speak here."""
    from gradlesson.voice import VoiceError, choose_voice

    narration = checked.lesson.config.narration
    try:
        voice = choose_voice(args.voice or narration.voice, narration.language, narration.speed)
    except VoiceError as error:
        if args.voice:
            raise UsageError(f"--voice: {error.problem}; {error.fix or f'use --voice {error.instead}'}") from None
        raise UsageError(f"{checked.path}: [narration] voice: {error}") from None
    if voice is None and args.voice == "best":
        print(f'gradlesson: voice: none (no voice here speaks "{narration.language}"): subtitles only', file=sys.stderr)
    return voice


def _spoken(checked, beats: Sequence, voice):  # (LessonFile, [Beat], Voice | None) -> gradcore.Lesson
    """The checked lesson with the lines of ``beats`` spoken by ``voice`` (recorded now where the speech cache
    lacks them), said in one line; the lesson itself if there is no voice."""
    from gradlesson.voice import voiced

    return checked.lesson if voice is None else voiced(checked.lesson, beats, voice, lambda line: print(line, file=sys.stderr))


def _export(args: argparse.Namespace) -> int:
    from gradlesson.export import export_lesson

    lesson = _lesson(args)
    for path in export_lesson(lesson, _writable_dir(args.out)):
        print(path)
    return 0


def _list(args: argparse.Namespace) -> int:
    from scenes import BEATS

    checked = _lesson_file(args)
    lesson = _spoken(checked, BEATS, _voice(args, checked))
    if args.steps:
        return _list_steps(lesson)
    total = 0.0
    for number, beat in enumerate(BEATS, start=1):
        seconds = beat.load().duration(lesson)
        total += seconds
        print(f"{number}. {beat.name:<20} {seconds:6.1f} s   scenes/beats/{beat.file}")
    print(f"   {'lesson':<20} {total:6.1f} s")
    return 0


def _list_steps(lesson) -> int:  # lesson: gradcore.Lesson
    """Every beat's title line, then one line per step: ``Beat.key``, its seconds, the ``$names`` it offers with
    their values, and its line as narrated (after the lesson file's replacements)."""
    from scenes import BEATS
    from scenes.toolkit.narration import beat_title

    for beat in BEATS:
        scene = beat.load()
        print(f"{beat.name}.title  | {beat_title(scene, lesson)}")
        for step in scene.steps(lesson):
            names = " ".join(f'${name}="{value}"' for name, value in step.values) or "-"
            print(f"{beat.name}.{step.key}  {step.seconds:.1f} s  {names}  | {step.caption}")
    return 0


def _render_setup(args: argparse.Namespace, sheets: Path | None = None):  # -> (beats, LessonFile, media, Lesson as spoken)
    """What ``render`` and ``kit`` check before anything is written: the scenes named, the lesson file, the
    voice, the programs a render needs, the output folder and the contact sheets' (``sheets``, if any), both before
    either is made; any problem is a :class:`UsageError`. Then the beats' lines are spoken (:func:`_spoken`)."""
    from gradlesson.checks import missing
    from scenes import BEATS

    by_name = {beat.name: beat for beat in BEATS}
    unknown = [name for name in args.scenes if name not in by_name]
    if unknown:
        raise UsageError(f"unknown scene {unknown[0]!r}; choose from: {', '.join(by_name)}")
    checked = _lesson_file(args)
    voice = _voice(args, checked)
    problems = missing(("manim", "cairo", "pango", "LaTeX", "dvisvgm", "PyAV", "ffmpeg"))  # after what the user wrote
    if problems:
        raise UsageError(problems[0])
    beats = [by_name[name] for name in dict.fromkeys(args.scenes)] or list(BEATS)  # a beat named twice renders once
    folders = {"--out": args.out, **({"--contact-sheet": sheets} if sheets is not None else {})}
    for option, folder in folders.items():
        _refuse_unwritable(folder, option)  # every folder, before any is made
    for option, folder in folders.items():
        _writable_dir(folder, option)
    return beats, checked, args.out, _spoken(checked, beats, voice)


def _render_all(args: argparse.Namespace, beats: list, checked, media: Path, lesson, transparent: bool = False) -> list | None:
    """Render what the cache lacks (a live table on a terminal, else one line per beat), then the summary;
    None (said in one line) if a beat failed."""
    from gradlesson.progress import choose_progress, print_summary
    from gradlesson.render import render_beats
    from gradlesson.video import duration

    try:
        with choose_progress() as progress:
            results = render_beats(
                beats,
                args.quality,
                media,
                args.jobs,
                lesson_files=checked.sources,
                lesson=lesson,
                progress=progress,
                transparent=transparent,
            )
    except RuntimeError as error:
        print(f"gradlesson: {error}", file=sys.stderr)
        return None
    print_summary(results, duration)
    return results


def _render(args: argparse.Namespace) -> int:
    from scenes import BEATS

    sheets = None if args.contact_sheet is None else Path(args.contact_sheet or args.out / "contact_sheets")
    beats, checked, media, lesson = _render_setup(args, sheets)

    from gradlesson.video import contact_sheet, stitch

    results = _render_all(args, beats, checked, media, lesson)
    if results is None:
        return 1
    if sheets is not None:
        for result in results:
            print(contact_sheet(result.video, sheets / f"{result.beat.name}.png"))
    if [b.name for b in beats] == [b.name for b in BEATS]:
        print(stitch([r.video for r in results], media / "lesson" / "lesson.mp4"))
    return 0


def _kit(args: argparse.Namespace) -> int:
    beats, checked, media, lesson = _render_setup(args)
    from gradlesson.kit import build_lesson_kit

    results = _render_all(args, beats, checked, media, lesson)
    if results is None:
        return 1
    alpha = None
    if args.transparent:
        alpha_results = _render_all(args, beats, checked, media / "transparent", lesson, transparent=True)
        if alpha_results is None:
            return 1
        alpha = {r.beat.name: r.video for r in alpha_results}
    lesson_file = str(args.lesson) if args.lesson else "lessons/intro_to_gradients.toml"
    try:
        built = build_lesson_kit(results, args.quality, lesson, lesson_file, media, args.jobs, alpha)
    except (RuntimeError, OSError) as error:
        print(f"gradlesson: building the kit failed: {error}", file=sys.stderr)
        return 1
    state = "built" if built.rebuilt else "unchanged (nothing to rebuild)"
    print(f"kit {state}: {built.folder}")
    print(f"open {built.folder / 'index.html'}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line errors: ``gradlesson: <problem>; see <command> --help``, exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"gradlesson: {message}; see {self.prog} --help", file=sys.stderr)
        raise SystemExit(2)


def _jobs(text: str) -> int:
    """A number of render jobs: a whole number of at least 1."""
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{jobs} jobs: give 1 or more")
    return jobs


def _parser() -> argparse.ArgumentParser:
    from importlib.metadata import version

    parser = _Parser(prog="gradlesson", description=__doc__)
    parser.add_argument("--version", action="version", version=f"gradlesson {version('gradient-lesson')}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="show whether everything the lesson needs is installed").set_defaults(run=_check)
    export = sub.add_parser("export", help="write descent.csv and lesson.json")
    export.add_argument("--out", type=Path, required=True, help="output folder")
    export.add_argument("--lesson", type=Path, metavar="FILE", help=LESSON_HELP)
    export.set_defaults(run=_export)
    listing = sub.add_parser("list", help="print the lesson's scenes in order with their durations")
    listing.add_argument("--lesson", type=Path, metavar="FILE", help=LESSON_HELP)
    listing.add_argument(
        "--steps", action="store_true", help="one line per step: Beat.key, seconds, the $names its line may use (with values), its line"
    )
    listing.add_argument("--voice", choices=VOICE_CHOICES, help=VOICE_HELP)
    listing.set_defaults(run=_list)
    render = sub.add_parser(
        "render",
        help="render scenes with manim; when all are rendered, stitch them into DIR/lesson/lesson.mp4",
        epilog=RENDER_EPILOG,
    )
    render.add_argument("scenes", nargs="*", help="scene names (default: all, in lesson order)")
    qualities = ", ".join(q.text for q in QUALITIES.values())
    render.add_argument("-q", "--quality", choices=tuple(QUALITIES), default="h", help=qualities)
    render.add_argument("--out", type=Path, default=Path("media"), help="media folder (default: media)")
    render.add_argument("-j", "--jobs", type=_jobs, default=os.cpu_count() or 1, help="scenes rendered at once (default: number of cores)")
    render.add_argument("--lesson", type=Path, metavar="FILE", help=LESSON_HELP)
    render.add_argument(
        "--contact-sheet",
        nargs="?",  # no type=Path: argparse would pass const through it, and Path("") is the current folder
        const="",  # given without DIR: OUT/contact_sheets
        metavar="DIR",
        help="also write a 6-frame PNG contact sheet per scene (default DIR: OUT/contact_sheets)",
    )
    render.add_argument("--voice", choices=VOICE_CHOICES, help=VOICE_HELP)
    render.set_defaults(run=_render)
    kit = sub.add_parser("kit", help="render what the cache lacks, then build the lecture kit in DIR/kit (see README 'The lecture kit')")
    kit.add_argument("scenes", nargs="*", help="scene names (default: all, in lesson order)")
    kit.add_argument("-q", "--quality", choices=tuple(QUALITIES), default="h", help=qualities)
    kit.add_argument("--out", type=Path, default=Path("media"), help="media folder; the kit is DIR/kit (default: media)")
    kit.add_argument("-j", "--jobs", type=_jobs, default=os.cpu_count() or 1, help="scenes rendered, and files converted, at once")
    kit.add_argument("--lesson", type=Path, metavar="FILE", help=LESSON_HELP)
    kit.add_argument(
        "--transparent", action="store_true", help="also each scene on a transparent background, as WebM (VP9) and MOV (ProRes 4444)"
    )
    kit.add_argument("--voice", choices=VOICE_CHOICES, help=VOICE_HELP)
    kit.set_defaults(run=_kit)
    return parser


class Stopped(Exception):
    """SIGTERM, turned into an exception so that the render's clean-up (stop every job, keep what finished) runs."""


def _stop(signum: int, frame: object) -> None:
    raise Stopped


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, not at exit: a reader gone by then is a BrokenPipeError Python would print at exit
        return code
    except UsageError as error:
        print(f"gradlesson: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`gradlesson list --steps | head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (KeyboardInterrupt, Stopped) as stop:
        reason = "interrupted" if isinstance(stop, KeyboardInterrupt) else "stopped (SIGTERM)"
        print(
            f"gradlesson: {reason}: every render job was stopped; beats that finished are kept and will not be rendered again",
            file=sys.stderr,
        )
        return 130 if isinstance(stop, KeyboardInterrupt) else 143
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
