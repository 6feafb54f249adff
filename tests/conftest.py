"""Shared helpers: run the CLI in a subprocess, probe videos with ffprobe, grab frames with ffmpeg; renders and
builds of the beats shared by every test that needs them (each happens once per test process).

Under pytest-xdist (``make test``: ``--dist loadgroup``) the tests that share a render carry one ``xdist_group``, so
one worker renders it, once; the heaviest groups are handed out first (see ``pytest_collection_modifyitems``)."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from gradcore import Lesson
    from gradcore.lessonfile import LessonFile

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
# the tests' recordings, shared by the workers (each is written whole), never the user's ~/.cache
os.environ.setdefault("GRADLESSON_SPEECH_CACHE", str(Path(tempfile.gettempdir()) / f"gradlesson-test-speech-{os.getuid()}"))

# Labels a lesson file may carry that must never reach TeX (each must be shown as plain text).
TEX_ATTACKS = [
    r"\input{/etc/hostname}",
    r"\include{x}",
    r"\openout1=x",
    r"\write18{touch /tmp/pwned}",
    r"\catcode`\^^5c=12",
    "^^5c",
    "{",
    "}",
    "%",
    "_",
    "&",
    "$",
    "#",
    "~",
    "Größe €",
    "価格",
    "x" * 10_000,
]


def gradlesson(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradlesson", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def gradlesson_here(capfd: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``gradlesson *args`` in this process: ``main(args)``, as ``python -m gradlesson`` calls it, with what it wrote
    to file descriptors 1 and 2 (capfd: C-level writes too). A warning fails (a process would print it beside its
    line). For the many cases of one command; each command's own process is run by ``gradlesson`` elsewhere."""
    import warnings

    from gradlesson.cli import main

    capfd.readouterr()
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's refusals and --version, as the process would exit
            code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capfd.readouterr()
    assert not warned, [str(w.message) for w in warned]
    return subprocess.CompletedProcess(["gradlesson", *args], code, out, err)


def fork_main(args: Sequence[str], out: int, err: int, parents: Sequence[int] = ()) -> int:
    """Start ``main(args)`` in a fork of this test process writing to file descriptors ``out`` and ``err``; its pid.
    The child closes the file descriptors ``parents`` (a pipe's read end: the reader is the test, not the child).
    The child never returns into pytest: it exits with main's code, after a warning written to ``err`` as a process
    would print it, or an exception's traceback (1); a last flush that fails is said as Python says it at exit (120)."""
    import traceback
    import warnings

    from gradlesson.cli import main

    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd in parents:
            os.close(fd)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)  # noqa: SIM115
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("default")
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
        for w in warned:
            sys.stderr.write(warnings.formatwarning(w.message, w.category, w.filename, w.lineno))
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
        except BaseException as error:
            os.write(2, f"Exception ignored on flushing sys.stdout:\n{error!r}\n".encode())
            code = 120
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


def wait_forked(pid: int, timeout: float, what: str) -> int:
    """The exit code of forked child ``pid``; killed, and the test failed, if it still runs after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"{what} still ran after {timeout} s")
        time.sleep(0.005)
    return os.waitstatus_to_exitcode(done[1])


def gradlesson_forked(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``gradlesson *args`` as ``main(args)`` in a fork of this test process (:func:`fork_main`): a process of its
    own, killed after ``timeout`` s (a regression that reads a FIFO forever fails its test, not the run), without
    the second a new interpreter spends importing the project. What it wrote to file descriptors 1 and 2 is
    returned."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        code = wait_forked(fork_main(args, out.fileno(), err.fileno()), timeout, f"gradlesson {' '.join(args)}")
        texts = []
        for file in (out, err):
            file.seek(0)
            texts.append(file.read().decode())
    return subprocess.CompletedProcess(["gradlesson", *args], code, *texts)


@functools.cache
def seed_lesson() -> Lesson:
    """``build_lesson()``, the seed lesson, built once per test process: it is frozen, and the tests only read it."""
    from gradcore import build_lesson

    return build_lesson()


@functools.cache
def shipped(file: str) -> LessonFile:
    """``read_lesson_file(lessons/<file>)``, a shipped lesson, read once per test process: it is frozen, and the tests
    only read it (many_points alone takes a quarter of a second to read)."""
    from gradcore.lessonfile import read_lesson_file

    return read_lesson_file(LESSONS / file)


def unchanged_since(video: Path) -> tuple[str, int, int]:
    """A key that changes when the file does (its path, modification time and size): for results memoised per file."""
    stat = video.stat()
    return str(video), stat.st_mtime_ns, stat.st_size


def probe(video: Path) -> dict[str, float]:
    """Duration (s), width, height, frame rate and frame count (by decoding) of a video's first video stream."""
    return dict(_probe(unchanged_since(video)))


@functools.cache
def _probe(video: tuple[str, int, int]) -> tuple[tuple[str, float], ...]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "format=duration:stream=width,height,r_frame_rate,nb_read_frames", "-of", "json", video[0]],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    info = json.loads(out)
    stream = info["streams"][0]
    num, den = (int(v) for v in stream["r_frame_rate"].split("/"))
    return (
        ("duration", float(info["format"]["duration"])),
        ("width", stream["width"]),
        ("height", stream["height"]),
        ("fps", num / den),
        ("frames", int(stream["nb_read_frames"])),
    )


def frame_at(video: Path, seconds: float) -> np.ndarray:
    """The RGB frame shown at ``seconds``, as a ``(height, width, 3)`` uint8 array."""
    info = probe(video)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(video), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(info["height"], info["width"], 3)


def shown(num) -> str:
    """The text a DecimalNumber displays for its current value."""
    return num._get_num_string(num.get_value())


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


# --- marks: what renders, and which tests share a render --------------------------------------------------------


def render_marks(beat: str, lesson: str = "seed") -> list[pytest.MarkDecorator]:
    """The marks of a test that uses ``render_scene(beat, lesson)``: ``render``, and the xdist group of that render
    (under ``--dist loadgroup`` every test that needs it runs in the worker that rendered it)."""
    return [pytest.mark.render, pytest.mark.xdist_group(f"render:{beat}:{lesson}")]


def build_marks(beat: str, lesson: str = "seed") -> list[pytest.MarkDecorator]:
    """The marks of a test that uses ``built_scene(beat, lesson)``: the xdist group of that build (test_plans
    builds every beat of the seed in it, so the seed's builds cost its tests nothing: fast tests), and ``render``
    for another lesson's (a build of its own, slow)."""
    return [pytest.mark.xdist_group(f"build:{beat}:{lesson}"), *([pytest.mark.render] if lesson != "seed" else [])]


def e2e_marks(lesson: str) -> list[pytest.MarkDecorator]:
    """The marks of a test that uses ``lesson_render(lesson)`` (a whole lesson rendered by the CLI)."""
    return [pytest.mark.render, pytest.mark.xdist_group(f"e2e:{lesson}")]


def _marking(marks: list[pytest.MarkDecorator]) -> Callable:
    def mark(test: Callable) -> Callable:
        for one in marks:
            test = one(test)
        return test

    return mark


def renders(beat: str, lesson: str = "seed") -> Callable:
    """Decorator form of :func:`render_marks`."""
    return _marking(render_marks(beat, lesson))


def builds(beat: str, lesson: str = "seed") -> Callable:
    """Decorator form of :func:`build_marks`."""
    return _marking(build_marks(beat, lesson))


def renders_lesson(lesson: str) -> Callable:
    """Decorator form of :func:`e2e_marks`."""
    return _marking(e2e_marks(lesson))


# Work units handed out first under xdist, heaviest first (longest processing time first keeps both workers busy
# to the end): whole lessons rendered by the CLI, the CLI renders shared by the pipeline tests, the lesson family's
# builds, the in-process renders, other tests that render; then the rest, the plan test's builds first. Within each
# class, by the time the unit took in the last run here (pytest's cache, ``gradlesson/unit_costs``), else in the run
# that wrote tests/unit_costs.json (a fresh clone, CI: ``pytest --save-unit-costs`` writes it again).
FIRST = ("e2e:", "cli-render", "family:", "render:")
UNIT_COSTS = "gradlesson/unit_costs"
UNIT_COSTS_FILE = Path(__file__).with_name("unit_costs.json")
_took: dict[str, float] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--save-unit-costs", action="store_true", help=f"write each work unit's seconds to {UNIT_COSTS_FILE.name}")


def _unit_of(nodeid: str) -> str:
    """The work unit of a test by its id: its xdist group (the ``@group`` xdist appends under ``--dist loadgroup``),
    else its module's file name."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return nodeid.rsplit("@", 1)[1]
    return Path(nodeid.split("::")[0]).name


def _group(item: pytest.Item) -> str:
    group = item.get_closest_marker("xdist_group")
    return str(group.args[0]) if group is not None and group.args else ""


def _unit(item: pytest.Item) -> str:
    """The work unit of a collected test, as :func:`_unit_of` reads it back from the test's report."""
    return _group(item) or item.path.name


def _rank(item: pytest.Item) -> int:
    name = _group(item)
    for rank, prefix in enumerate(FIRST):
        if name.startswith(prefix):
            return rank
    return len(FIRST) + (item.get_closest_marker("render") is None)


def _group_in_nodeid(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup`` sends the tests of one group to one worker by the ``@group`` xdist appends to their node
    ids; with pytest 9.2 its assignment (to ``item._nodeid``) no longer changes the id, and the groups are silently
    ignored (pytest-dev/pytest-xdist#1386, fix pending in #1388). Until then, append it to the structured id."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.hookimpl(trylast=True)  # after xdist's own hook, so that a working xdist names the groups itself
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a test that renders (uses ``render_scene``) without the marks of :func:`renders` (it would render in
    ``make test-fast``, or twice under xdist), and put the heaviest work first, each group's tests together."""
    _group_in_nodeid(config, items)
    for item in items:
        marked = item.get_closest_marker("render") is not None and item.get_closest_marker("xdist_group") is not None
        if "render_scene" in getattr(item, "fixturenames", ()) and not marked:
            raise pytest.UsageError(f"{item.nodeid} uses render_scene: mark it with conftest.renders(...) / render_marks(...)")
        if "built_scene" in getattr(item, "fixturenames", ()) and not _group(item).startswith("build:"):
            raise pytest.UsageError(f"{item.nodeid} uses built_scene: mark it with conftest.builds(...) / build_marks(...)")
    cache = getattr(config, "cache", None)
    unit_cost: dict[str, float] = cache.get(UNIT_COSTS, {}) if cache is not None else {}
    if not unit_cost and UNIT_COSTS_FILE.exists():
        unit_cost = json.loads(UNIT_COSTS_FILE.read_text())
    # a unit: a group, or the ungrouped tests of a module (kept in pytest's order, which sets each fixture up once)
    order = {id(item): index for index, item in enumerate(items)}

    def key(item: pytest.Item) -> tuple:
        unit = _unit(item)
        return _rank(item), -unit_cost.get(unit, 0.0), item.path.name != "test_plans.py", unit, order[id(item)]

    items.sort(key=key)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    unit = _unit_of(report.nodeid)
    _took[unit] = _took.get(unit, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep each unit's time (its tests' setup, call and teardown) for the next run's order; the xdist controller
    (or a run without xdist) writes it. A run of part of the suite updates the units it ran."""
    config = session.config
    cache = getattr(config, "cache", None)
    if hasattr(config, "workerinput") or not _took:
        return
    costs = {unit: round(seconds, 2) for unit, seconds in sorted(_took.items())}
    if cache is not None:
        cache.set(UNIT_COSTS, {**cache.get(UNIT_COSTS, {}), **costs})
    if config.getoption("save_unit_costs"):
        UNIT_COSTS_FILE.write_text(json.dumps(costs, indent=1) + "\n")


# --- TeX: the machine's formulas, as renders share them -------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def tex_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """manim's TeX folder for every test process and every CLI render the tests run: the machine's TeX cache
    (:func:`gradlesson.render.tex_cache`, which ``$GRADLESSON_TEX_CACHE`` moves), as for the speech cache. Each
    file is named by the hash of its TeX source and appears whole (:mod:`scenes.toolkit.internals.tex_files`),
    so the xdist workers, the CLI's jobs and every clone of the project share it safely, and a formula is compiled
    once a machine. Tests that damage formulas work on a copy (test_edit_loop). If the cache cannot be made, a
    folder in pytest's cache is used."""
    from manim import config

    import scenes.toolkit.internals  # noqa: F401  # before any formula: MathTex compiles apart from here on
    from gradlesson.caches import user_cache
    from gradlesson.render import _drop_damaged_svgs

    pool = user_cache("tex")
    try:
        pool.mkdir(parents=True, exist_ok=True)
        usable = os.access(pool, os.W_OK | os.X_OK)
    except OSError:
        usable = False
    if not usable:
        cache = getattr(request.config, "cache", None)
        pool = cache.mkdir("tex") if cache is not None else tmp_path_factory.mktemp("tex_pool")
    os.environ["GRADLESSON_TEX_CACHE"] = str(pool)
    _drop_damaged_svgs(pool, lambda line: None)
    saved = config.tex_dir
    config.tex_dir = str(pool)
    try:
        yield pool
    finally:
        config.tex_dir = saved


# Scene tests render in-process at a small size and low frame rate, once per scene per session.
TEST_FPS = 10
TEST_SIZE = (320, 180)


@dataclass
class Rendered:
    scene: object
    video: Path
    srt: Path
    frames: list = field(default_factory=list)  # what ``record(scene)`` returned at each frame drawn


@contextmanager
def lesson_file(path: Path | None) -> Iterator[None]:
    """Let the scenes draw the lesson file ``path`` (None: the default lesson) while inside; the lesson the
    scenes drew before (and its cache) is back afterwards, so scenes rendered earlier still draw lesson()."""
    from gradcore.lessonfile import load_lesson
    from scenes.toolkit import style

    if path is None:
        yield
        return
    saved = list(style._CHOSEN)
    style.use_lesson(load_lesson(Path(path)))
    try:
        yield
    finally:
        style._CHOSEN[:] = saved


@pytest.fixture(scope="session")
def render_scene(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Rendered]:
    """``render_scene("TangentSlopes")`` renders that beat (cached) and returns the scene object and its video.

    ``lesson``: a lesson file to draw instead of the default lesson. ``record``: a function of the scene, called
    each time the camera has drawn a frame; its results, in order, are ``Rendered.frames`` (a different
    ``record`` renders the beat again)."""
    from manim import tempconfig

    from scenes import BEATS

    done: dict[tuple, Rendered] = {}

    def render(name: str, lesson: Path | None = None, record: Callable[[object], object] | None = None) -> Rendered:
        key = (name, None if lesson is None else str(lesson), record)
        if key not in done:
            beat = next(b for b in BEATS if b.name == name)
            media = tmp_path_factory.mktemp(name)
            settings = {
                "media_dir": str(media),
                "pixel_width": TEST_SIZE[0],
                "pixel_height": TEST_SIZE[1],
                "frame_rate": TEST_FPS,
                "progress_bar": "none",
                "verbosity": "WARNING",
                "disable_caching": True,
            }
            frames: list = []
            with tempconfig(settings), lesson_file(lesson):
                scene = beat.load()()
                if record is not None:
                    camera, capture = scene.camera, scene.camera.capture_mobjects

                    def capture_and_record(*args: object, **kwargs: object) -> None:
                        capture(*args, **kwargs)
                        frames.append(record(scene))

                    camera.capture_mobjects = capture_and_record
                scene.render()
                video = Path(scene.renderer.file_writer.movie_file_path)
            done[key] = Rendered(scene, video, video.with_suffix(".srt"), frames)
        return done[key]

    return render


# --- beats built without drawing a frame ---------------------------------------------------------------------------


def build(name: str, media: Path, lesson: Path | None = None) -> object:
    """Beat ``name`` played to its end state with manim's skip_animations (each animation jumps to its last frame,
    updaters run, no frame is drawn, no video written): the scene as the viewer last sees it.

    ``scene.played`` lists each step as construct played it: ``(key, start, end)`` on the renderer's clock, which
    every play and wait advances by its run time (the clock at the next step's start, or at the end, closes a step)."""
    from manim import tempconfig

    from scenes import BEATS

    beat = next(b for b in BEATS if b.name == name)
    settings = {"media_dir": str(media), "pixel_width": TEST_SIZE[0], "pixel_height": TEST_SIZE[1], "write_to_movie": False,
                "verbosity": "WARNING", "progress_bar": "none", "disable_caching": True}  # fmt: skip
    with tempconfig(settings), lesson_file(lesson):
        scene = beat.load()(skip_animations=True)
        scene.renderer.update_frame = lambda *args, **kwargs: None  # manim draws frames it then skips: not drawn at all
        starts: list[tuple[str, float]] = []
        begin = scene._begin

        def begin_and_record(key: str) -> object:
            starts.append((key, scene.renderer.time))
            return begin(key)

        scene._begin = begin_and_record
        scene.render()
        ends = [start for _, start in starts[1:]] + [scene.renderer.time]
        scene.played = [(key, start, end) for (key, start), end in zip(starts, ends, strict=True)]
    return scene


@pytest.fixture(scope="session")
def built_scene(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., object]:
    """``built_scene("TangentSlopes")``: :func:`build` of that beat (``lesson``: a lesson file instead of the
    default lesson), once per test process; ``scene.media`` is the folder it was built in."""
    done: dict[tuple[str, str | None], object] = {}

    def built(name: str, lesson: Path | None = None) -> object:
        key = (name, None if lesson is None else str(lesson))
        if key not in done:
            media = tmp_path_factory.mktemp(f"build_{name}")
            scene = build(name, media, lesson)
            scene.media = media  # type: ignore[attr-defined]
            done[key] = scene
        return done[key]

    return built


# --- the synthetic kit of tests/kit_sample.py, made once ---------------------------------------------------------

# the tests of the kit's presenter, slides and handout, on one worker: the sample is made once a run
SAMPLE_KIT_GROUP = pytest.mark.xdist_group("kit:sample")


@pytest.fixture(scope="session")
def sample_kit(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], object]:
    """``sample_kit(folder)``: a copy of :func:`kit_sample.synthetic_kit` in ``folder`` and its manifest; ffmpeg
    makes the sample's 30 files once a test process (about 1 s: one run a step), each copy takes milliseconds."""
    import shutil

    from kit_sample import synthetic_kit

    source = tmp_path_factory.mktemp("sample_kit")
    manifest = synthetic_kit(source)

    def copy(folder: Path) -> object:
        shutil.copytree(source, folder, dirs_exist_ok=True)
        return manifest

    return copy


# --- renders by the CLI, shared ------------------------------------------------------------------------------------


@dataclass
class CliRender:
    result: subprocess.CompletedProcess[str]
    media: Path
    sheets: Path

    def video(self, beat: str, folder: str) -> Path:
        from scenes import BEATS

        stem = next(b for b in BEATS if b.name == beat).path.stem
        return self.media / "videos" / stem / folder / f"{beat}.mp4"


# Rendered once for test_cli and test_render_pipeline (their tests carry this group).
CLI_RENDER_GROUP = pytest.mark.xdist_group("cli-render")


@pytest.fixture(scope="session")
def cli_render(tmp_path_factory: pytest.TempPathFactory) -> CliRender:
    """``gradlesson render FittedLine DerivativeAsSlope -q d -j 1`` with contact sheets, into a fresh folder."""
    root = tmp_path_factory.mktemp("cli_render")
    media, sheets = root / "media", root / "sheets"
    result = gradlesson(
        "render", "FittedLine", "DerivativeAsSlope", "-q", "d", "-j", "1", "--out", str(media), "--contact-sheet", str(sheets)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return CliRender(result, media, sheets)


E2E_VOICES = {"sine": "espeak"}  # the whole-lesson render that checks every beat's sound (test_voice); others silent


@pytest.fixture(scope="session")
def lesson_render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], CliRender]:
    """``lesson_render("sine")``: every beat of ``lessons/sine.toml`` rendered and stitched by ``gradlesson render
    -q d`` (the draft preview) into a fresh folder, once; spoken by the voice :data:`E2E_VOICES` gives it, if any."""
    done: dict[str, CliRender] = {}

    def render(name: str) -> CliRender:
        if name not in done:
            out = tmp_path_factory.mktemp(f"e2e_{name}")
            voice = ("--voice", E2E_VOICES[name]) if name in E2E_VOICES else ()
            result = gradlesson("render", "-q", "d", "--lesson", str(LESSONS / f"{name}.toml"), "--out", str(out), *voice)
            done[name] = CliRender(result, out, out / "contact_sheets")
        return done[name]

    return render
