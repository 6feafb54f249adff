"""Beats 8 and 9 draw the core's race and clinic: dots, paths, loss curves and readouts map back onto
the trajectories, and the diverging run is labelled with the step the core detected."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import TEST_SIZE, TEX_ATTACKS, builds, lesson_file, shown
from manim import Text, config, tempconfig

from gradcore.format import num, number_format, setting, tex_setting
from gradcore.lessonfile import read_lesson_file
from scenes.beats.clinic import behaviour
from scenes.beats.race import OptimizerRace
from scenes.toolkit.style import SciNumber, display_text, lesson

STEPS = (0, 1, 2, 5, 17, 38, 39, 40, 50, 99, 100)


@pytest.fixture(scope="module")
def race(built_scene):
    return built_scene("OptimizerRace")


@pytest.fixture(scope="module")
def clinic(built_scene):
    return built_scene("LearningRateClinic")


def at_step(scene, k: int) -> None:
    """Point the scene's step tracker at k and run the updaters, as a frame would."""
    scene.k.set_value(k)
    for mobject in scene.mobjects:
        mobject.update()


def corners(vmobject) -> np.ndarray:
    """The vertices of a path made of straight cubics: every curve's start, and the last point."""
    curves = vmobject.points.reshape(-1, 4, 3)
    return np.vstack([curves[:, 0], curves[-1:, 3]])


def inside_frame(mobject, margin: float = 0.05) -> bool:
    half_w, half_h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
    (x0, y0, _), (x1, y1, _) = mobject.get_corner(np.array([-1, -1, 0])), mobject.get_corner(np.array([1, 1, 0]))
    return -half_w <= x0 and x1 <= half_w and -half_h <= y0 and y1 <= half_h


# ---------------------------------------------------------------- the race


@builds("OptimizerRace")
def test_race_draws_the_lessons_runners(race) -> None:
    runs = lesson().race
    assert race.runs is runs
    assert len(race.dots) == len(race.paths) == len(race.curves) == len(race.rows) == len(runs)
    for row, run in zip(race.rows, runs, strict=True):
        assert type(row[1]) is Text and row[1].original_text == run.entry.label
    starts = {tuple(run.trajectory.params[0]) for run in runs}
    assert len(starts) == 1, "every runner starts from the same point"


@builds("OptimizerRace")
@pytest.mark.parametrize("k", STEPS)
def test_race_dots_paths_and_losses_at_step_k(race, k: int) -> None:
    at_step(race, k)
    assert race.step_count[1].get_value() == k
    for i, run in enumerate(lesson().race):
        t = run.trajectory
        j = min(k, len(t.loss) - 1)
        np.testing.assert_allclose(race.axes.p2c(race.dots[i].get_center()), t.params[j], atol=1e-6)
        # the path runs through every iterate so far (the zoomed box holds the whole race: nothing clipped)
        visited = t.params[: j + 1] if j else t.params[:1].repeat(2, axis=0)
        np.testing.assert_allclose([race.axes.p2c(p) for p in corners(race.paths[i])], visited, atol=1e-6)
        assert race.losses[i].get_value() == t.loss[j]
        form = number_format(np.concatenate([r.trajectory.loss for r in lesson().race]))
        assert shown(race.losses[i]) == form.parts(t.loss[j])[0]


@builds("OptimizerRace")
@pytest.mark.parametrize("k", STEPS)
def test_loss_plot_curves_map_back_to_step_and_loss(race, k: int) -> None:
    at_step(race, k)
    for curve, run in zip(race.curves, lesson().race, strict=True):
        t = run.trajectory
        j = min(k, len(t.loss) - 1)
        steps, log_loss = np.array([race.plot.p2c(p) for p in corners(curve)]).T
        expected = np.arange(j + 1) if j else np.zeros(2)
        np.testing.assert_allclose(steps, expected, atol=1e-6)
        np.testing.assert_allclose(10.0**log_loss, t.loss[expected.astype(int)], rtol=1e-6)
        lo, hi = race.plot.y_range[:2]
        assert np.all((lo <= log_loss) & (log_loss <= hi))


@builds("OptimizerRace")
def test_race_zoom_is_a_piece_of_the_core_grid(race) -> None:
    grid, sub = lesson().landscape, race.grid
    cols = np.flatnonzero(np.isin(grid.m, sub.m))
    rows = np.flatnonzero(np.isin(grid.b, sub.b))
    np.testing.assert_array_equal(sub.loss, grid.loss[np.ix_(rows, cols)])
    best = lesson().optimum
    np.testing.assert_allclose(race.axes.p2c(race.optimum.get_center()), [best.m, best.b], atol=1e-6)


@builds("OptimizerRace")
def test_race_finish_names_the_first_to_the_bottom(race) -> None:
    plan = type(race).steps(lesson())
    best, at = lesson().race_leader
    finish = next(step for step in plan if step.key == "finish")
    assert lesson().race[best].entry.label in finish.caption and f"at step {num(at)}." in finish.caption
    loss = lesson().race[best].trajectory.loss
    assert loss[at] <= 1.01 * lesson().optimum.loss < loss[:at].min()
    # the arrival is marked on the loss plot at (at, loss[at])
    step, log_loss = race.plot.p2c(race.arrival[1].get_center())
    assert step == pytest.approx(at, abs=1e-6) and 10**log_loss == pytest.approx(loss[at], rel=1e-6)


@builds("OptimizerRace")
def test_race_text_stays_in_frame(race) -> None:
    at_step(race, 100)
    for mobject in (race.legend, race.plot, race.title):
        assert inside_frame(mobject)


# ---------------------------------------------------------------- race labels that attack TeX

MARK = "QZX"  # starts every attacking label: no TeX source may contain it
RUNNER = 'optimizer = "gd"\nlr = 0.001\ngrad_scale = [0.25, 1.0]\n'


# the tests of ``attacked``, which builds scenes (render), once (one xdist group)
ATTACKED = pytest.mark.xdist_group("attacks:OptimizerRace")


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[OptimizerRace], list[str]]:
    """The race built (every mobject, no frame drawn) for lesson files whose labels are ``MARK`` + an attack,
    eight runners a file, and every formula MathTex and Tex asked TeX (or the TeX cache) for meanwhile."""
    from manim.mobject.text import tex_mobject

    root = tmp_path_factory.mktemp("attacks")
    sources: list[str] = []
    compile_formula = tex_mobject.tex_to_svg_file  # every MathTex / Tex formula passes here, compiled or cached

    def recording(expression: str, environment: str | None = None, tex_template: object = None):
        sources.append(expression)
        return compile_formula(expression, environment, tex_template)

    settings = {"media_dir": str(root / "media"), "pixel_width": TEST_SIZE[0], "pixel_height": TEST_SIZE[1]}
    scenes = []
    with pytest.MonkeyPatch.context() as patch, tempconfig({**settings, "verbosity": "WARNING"}):
        patch.setattr(tex_mobject, "tex_to_svg_file", recording)
        for first in range(0, len(TEX_ATTACKS), 8):
            labels = [MARK + attack for attack in TEX_ATTACKS[first : first + 8]]
            path = root / f"attacks_{first}.toml"
            path.write_text("".join(f"[[race]]\nlabel = {json.dumps(label)}\n{RUNNER}\n" for label in labels), encoding="utf-8")
            assert [e.label for e in read_lesson_file(path).config.race] == labels  # the reader accepts any label
            with lesson_file(path):
                scene = OptimizerRace()
                scene.play = scene.wait = lambda *args, **kwargs: None
                scene.setup()
                scene.construct()
            scenes.append(scene)
    return scenes, sources


@pytest.mark.render
@ATTACKED
def test_attack_labels_never_reach_tex(attacked) -> None:
    _scenes, sources = attacked
    assert any(r"\text{The optimizer race}" in source for source in sources)  # the recording sees the scene's TeX
    for source in sources:
        assert MARK not in source
        for attack in TEX_ATTACKS:
            assert len(attack) == 1 or attack not in source, attack[:40]


@pytest.mark.render
@ATTACKED
def test_attack_labels_are_plain_text_in_the_legend(attacked) -> None:
    scenes, _ = attacked
    shown_labels = [row[1] for scene in scenes for row in scene.rows]
    assert [type(m) for m in shown_labels] == [Text] * len(TEX_ATTACKS)
    assert [m.original_text for m in shown_labels] == [display_text(MARK + attack) for attack in TEX_ATTACKS]
    for scene in scenes:
        best, _ = scene.lesson.race_leader
        finish = next(step.caption for step in type(scene).steps(scene.lesson) if step.key == "finish")
        assert display_text(scene.lesson.race[best].entry.label) in finish


@pytest.mark.render
@ATTACKED
def test_attack_legend_stays_in_frame_beside_the_contours(attacked) -> None:
    scenes, _ = attacked
    for scene in scenes:
        scene.k.set_value(100)
        scene.legend.update()
        assert inside_frame(scene.legend) and inside_frame(scene.plot)
        assert scene.legend.get_left()[0] > scene.axes.get_right()[0]


# ---------------------------------------------------------------- the clinic


@builds("LearningRateClinic")
def test_clinic_panels_are_the_lessons_runs(clinic) -> None:
    runs = lesson().clinic
    assert [(p.run.lr, p.run.outcome) for p in clinic.panels] == [(r.lr, r.outcome) for r in runs]
    for panel, run in zip(clinic.panels, runs, strict=True):
        assert panel.header[0].get_tex_string() == rf"\text{{{behaviour(run.outcome)}}}"
        assert panel.header[1].get_tex_string() == rf"\text{{lr}} = {tex_setting(run.lr, 3)}"
    assert [tex_setting(r.lr) for r in runs[:2]] == [r"1 \times 10^{-4}", "0.001"]  # below 10⁻³: a power of ten
    assert [p.header[0].get_tex_string() for p in clinic.panels] == [
        rf"\text{{{w}}}" for w in ("crawls", "converges", "zig-zags", "diverges")
    ]


@builds("LearningRateClinic")
@pytest.mark.parametrize("k", STEPS)
def test_clinic_dots_sit_at_their_iterate(clinic, k: int) -> None:
    at_step(clinic, k)
    for panel in clinic.panels:
        t, axes = panel.trajectory, panel.axes
        j = min(k, len(t.loss) - 1)
        np.testing.assert_allclose(axes.p2c(panel.dot.get_center()), t.params[j], rtol=1e-9, atol=1e-6)
        lo, hi = np.array([axes.x_range[0], axes.y_range[0]]), np.array([axes.x_range[1], axes.y_range[1]])
        inside = bool(np.all((t.params[j] >= lo) & (t.params[j] <= hi)))
        # a dot outside its panel is hidden, and an arrowhead marks where the path left
        assert panel.dot.get_fill_opacity() == (1 if inside else 0)
        assert panel.arrow.get_fill_opacity() == (0 if inside else 1)
        # the path never leaves its panel
        drawn = np.array([axes.p2c(p) for p in panel.path.points])
        assert np.all(drawn >= lo - 1e-6) and np.all(drawn <= hi + 1e-6)
        if not inside:
            tip = axes.p2c(panel.arrow.points[0])
            on_edge = np.isclose(tip, lo, atol=1e-6) | np.isclose(tip, hi, atol=1e-6)
            assert on_edge.any() and np.all((tip >= lo - 1e-6) & (tip <= hi + 1e-6))


@builds("LearningRateClinic")
@pytest.mark.parametrize("k", STEPS)
def test_clinic_loss_readouts_show_the_core_loss(clinic, k: int) -> None:
    at_step(clinic, k)
    for panel in clinic.panels:
        t = panel.trajectory
        loss = t.loss[min(k, len(t.loss) - 1)]
        number = panel.loss[1]  # the clinic's losses reach past 10⁶: a live mantissa and power of ten
        assert isinstance(number, SciNumber) and number.get_value() == loss
        mantissa, power = float(shown(number[0])), int(shown(number[2]))
        assert 1 <= mantissa < 10
        assert mantissa * 10.0**power == pytest.approx(loss, rel=0.005)


@builds("LearningRateClinic")
def test_clinic_labels_the_divergence_the_core_detected(clinic) -> None:
    at_step(clinic, 100)
    diverging = [p for p in clinic.panels if p.trajectory.diverged_at is not None]
    assert [behaviour(p.run.outcome) for p in diverging] == ["diverges"]
    panel = diverging[0]
    at = lesson().clinic[3].trajectory.diverged_at
    assert at is not None and panel.trajectory.diverged_at == at
    assert len(panel.trajectory.loss) == at  # the arrays stop at the last good iterate
    assert panel.diverged.get_tex_string() == rf"\text{{diverged at step {at}}}"
    assert panel.diverged in clinic.mobjects
    assert inside_frame(panel.diverged)
    # the other panels carry no such label
    assert all(p.diverged is None for p in clinic.panels if p is not panel)
    plan = {step.key: step.caption for step in type(clinic).steps(lesson())}
    rate = lesson().clinic[3].lr
    assert plan["diverged"] == f"lr = {setting(rate, 3)} diverged at step {at}."  # the whole number, not one it begins


@builds("LearningRateClinic")
def test_clinic_text_stays_in_frame(clinic) -> None:
    at_step(clinic, 100)
    for panel in clinic.panels:
        for mobject in (panel.header, panel.loss, panel.frame):
            assert inside_frame(mobject)
    assert inside_frame(clinic.step_count)
