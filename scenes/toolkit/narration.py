"""Scenes that play a plan: each step is one narration line (subtitle), one section and one play.

A beat writes its steps in :meth:`Narrated.script` with :func:`said`: each line a ``$name`` template
(:mod:`gradcore.narration`) and the numbers it offers, formatted as on screen; :meth:`Narrated.steps` fills it, or the
line the lesson file's ``[narration.lines]`` gives for that step instead, with the same numbers."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from manim import (
    BLACK,
    Animation,
    FullScreenRectangle,
    Mobject,
    Scene,
    ThreeDScene,
    VMobject,
    config,
)

from gradcore import Lesson
from gradcore.narration import STRETCH, TICK, TITLE_KEY, Cue, Spoken, fill
from scenes.toolkit.builders import merged
from scenes.toolkit.style import lesson, tex_text

if TYPE_CHECKING:  # for the type checker only: nothing of it runs
    from typing import TypeAlias

    from manim.mobject.mobject import _AnimationBuilder  # what ``mobject.animate.method(...)`` gives

    Playable: TypeAlias = Animation | Mobject | _AnimationBuilder  # what Scene.play takes
    _Mixin = Scene  # Narrated is mixed into a Scene
else:
    _Mixin = object
__all__ = ["FADE_OUT", "LessonScene", "LessonScene3D", "Step", "beat_title", "said"]


@dataclass(frozen=True)
class Step:
    """One step of a beat: ``seconds`` long (a multiple of 0.2 s), narrated by ``caption``; ``numbers``: what it
    shows, by name, formatted as on screen (the kit's speaker notes). ``line`` is the template ``caption`` was filled
    from, ``values`` the ``$names`` it may use with their text (see :func:`said`).

    Spoken (:meth:`Narrated.steps` with a voiced lesson), ``cues`` are its phrases as heard and ``planned`` the
    seconds its animation was written for; ``seconds`` then covers the speech too (:meth:`Spoken.seconds`)."""

    key: str
    seconds: float
    caption: str
    numbers: tuple[tuple[str, str], ...] = ()
    line: str = ""
    values: tuple[tuple[str, str], ...] = ()
    cues: tuple[Cue, ...] = ()
    planned: float = 0.0  # 0: as long as ``seconds``

    def __post_init__(self) -> None:
        for seconds in (self.seconds, self.planned or self.seconds):
            if seconds <= 0 or abs(seconds / TICK - round(seconds / TICK)) > 1e-9:
                raise ValueError(f"step {self.key!r}: seconds must be a positive multiple of {TICK:g}, got {seconds}")

    def subtitles(self) -> tuple[tuple[float, float, str], ...]:
        """``(start, end, text)`` from the step's start: its line for the whole step or, spoken, each phrase from
        when it is heard until the next one (the last until the step ends)."""
        if not self.cues:
            return ((0.0, self.seconds, self.caption),) if self.caption else ()
        ends = [cue.start for cue in self.cues[1:]] + [self.seconds]
        return tuple((cue.start, end, cue.text) for cue, end in zip(self.cues, ends, strict=True))

    @property
    def played(self) -> float:
        """The seconds its animations play: ``planned`` slowed down by at most :data:`STRETCH` (in whole ticks) to
        fill ``seconds``; the picture holds for the rest (a wait-only step simply waits ``seconds``)."""
        planned = self.planned or self.seconds
        return round(min(self.seconds, math.floor(round(planned * STRETCH / TICK, 6)) * TICK), 6) if self.planned else planned


def said(key: str, seconds: float, line: str, numbers: tuple[tuple[str, str], ...] = (), /, **values: str) -> Step:
    """A step narrated by the template ``line`` filled with ``values`` (each already formatted as the picture shows
    it): ``said("final", 2.4, "After $steps steps: b = $b...", steps=num(100), b=num(b, 5))``."""
    return Step(key, seconds, fill(line, values), numbers, line, tuple(values.items()))


def _replaced(step: Step, line: str) -> Step:
    """``step`` narrated by ``line`` instead, filled with the numbers ``step`` offers."""
    return Step(step.key, step.seconds, fill(line, dict(step.values)), step.numbers, line, step.values)


def _spoken(step: Step, spoken: Spoken | None, beat: str) -> Step:
    """``step`` timed to its speech (a step with no line is not spoken)."""
    if not step.caption:
        return step
    if spoken is None or spoken.text != step.caption:
        raise RuntimeError(f"{beat}.{step.key}: the lesson's voicing does not speak its line {step.caption!r}; speak the lesson again")
    return dataclasses.replace(step, seconds=spoken.seconds(step.seconds), cues=spoken.cues, planned=step.seconds)


FADE_OUT = Step("fade_out", 0.6, "")
BLACK_HOLD = 0.2  # seconds of black at the end of FADE_OUT


def beat_title(cls: type[Narrated], lesson: Lesson) -> str:
    """The title of beat ``cls``: ``"<Beat>.title"`` of ``[narration.lines]``, else its ``TITLE``."""
    lines = dict(lesson.config.narration.part(cls.__name__))
    return fill(lines[TITLE_KEY], {}) if TITLE_KEY in lines else cls.TITLE


class Narrated(_Mixin):
    """Mixin for a beat: ``steps(lesson)`` lists its steps; ``construct`` plays each with :meth:`step`
    and ends with :meth:`fade_out`, so that every beat starts and ends on black and the stitched
    lesson has no hard cuts.

    The plan is the single source of the beat's duration (``gradlesson list`` prints it), of its
    subtitles (``add_subcaption``) and of its sections (``--save_sections`` gives one clip per step).
    """

    TITLE: ClassVar[str] = ""  # the beat's title, as the kit's slides, chapters and handout name it

    @classmethod
    def script(cls, lesson: Lesson) -> tuple[Step, ...]:
        """The beat's steps with its own (English) lines."""
        raise NotImplementedError

    @classmethod
    def steps(cls, lesson: Lesson) -> tuple[Step, ...]:
        """The beat's steps, each narrated by the line ``[narration.lines]`` gives for ``<Beat>.<key>``, else its own;
        :class:`~gradcore.narration.NarrationError` for a line that names a number its step does not offer."""
        lines = dict(lesson.config.narration.part(cls.__name__))
        steps = tuple(_replaced(step, lines[step.key]) if step.key in lines else step for step in cls.script(lesson))
        if lesson.voicing is None:
            return steps
        spoken = {s.key: s for s in lesson.voicing.part(cls.__name__)}
        return tuple(_spoken(step, spoken.get(step.key), cls.__name__) for step in steps)

    @classmethod
    def lines(cls, lesson: Lesson) -> tuple[Step, ...]:
        """The beat's steps as written, before any voice times them (what a voice is asked to speak)."""
        unvoiced = dataclasses.replace(lesson, voicing=None) if lesson.voicing is not None else lesson
        return cls.steps(unvoiced)

    @classmethod
    def formulas(cls, lesson: Lesson) -> tuple[str, ...]:
        """The beat's formulas, as the LaTeX it typesets them from (for the handout)."""
        return ()

    @classmethod
    def plan(cls, lesson: Lesson) -> tuple[Step, ...]:
        """The beat's steps followed by the closing fade to black."""
        return (*cls.steps(lesson), FADE_OUT)

    @classmethod
    def duration(cls, lesson: Lesson) -> float:  # type: ignore[override]  # read on the class; Scene's float attribute of this name, set per instance, shadows it there
        return sum(step.seconds for step in cls.plan(lesson))

    def setup(self) -> None:
        super().setup()
        self.lesson = lesson()
        self._plan = self.plan(self.lesson)
        self._played = 0

    def _begin(self, key: str) -> Step:
        """Start the plan's next step, which must be ``key``: a new section and its subtitle."""
        if self._played >= len(self._plan) or self._plan[self._played].key != key:
            expected = self._plan[self._played].key if self._played < len(self._plan) else "nothing"
            raise RuntimeError(f"{type(self).__name__} played step {key!r} where its plan has {expected!r}")
        step = self._plan[self._played]
        self._played += 1
        self.next_section(f"{self._played:02d}_{key}")
        for start, end, text in step.subtitles():
            self.add_subcaption(text, duration=end - start, offset=start)
        return step

    def title_tex(self) -> str:
        """The beat's title (:func:`beat_title`) as the LaTeX its heading is set from."""
        return rf"\text{{{tex_text(beat_title(type(self), self.lesson))}}}"

    def step(self, key: str, *animations: Playable, **play_kwargs: Any) -> None:
        """Play the plan's next step, which must be ``key``: its animations (or a wait) over its seconds; spoken, over
        :attr:`Step.played` (or the planned wait), then the picture holds until the speech and its pause are over."""
        step = self._begin(key)
        if animations:
            self.play(*animations, run_time=step.played, **play_kwargs)
        else:
            self.wait(step.planned or step.seconds)
        self.hold(step.seconds - (step.played if animations else step.planned or step.seconds))

    def hold(self, seconds: float) -> None:
        """Show the frame as it is for ``seconds`` (whole frames; nothing for 0): manim's frozen frame, which counts
        ``int(T × fps)`` frames, so it is asked for half a frame more than it will show (``int(2.4 × 10)`` is 23)."""
        frames = round(seconds * config.frame_rate)
        if frames:
            self.wait((frames + 0.5) / config.frame_rate, frozen_frame=True)

    def fade_out(self) -> None:
        """The closing step: a black curtain fades in over everything (the scene's mobjects and their
        updaters are left alone) and holds for a moment, so that the last frame is black too."""
        step = self._begin(FADE_OUT.key)
        curtain = FullScreenRectangle(stroke_width=0, fill_color=BLACK, fill_opacity=0)
        self.pin_to_frame(curtain)
        self.add_foreground_mobject(curtain)
        self.play(curtain.animate.set_fill(opacity=1), run_time=step.seconds - BLACK_HOLD)
        self.wait(BLACK_HOLD)

    def pin_to_frame(self, mobject: Mobject) -> None:
        """Keep ``mobject`` in screen coordinates (a no-op in 2D)."""

    def settle(self, group: VMobject) -> VMobject:
        """Swap ``group``, on screen and done animating member by member, for :func:`merged` of it on top:
        one path for the camera to draw each frame instead of one per member."""
        one = merged(group)
        self.remove(*group)
        self.add(one)
        return one

    def tear_down(self) -> None:
        if self._played != len(self._plan):
            missing = [s.key for s in self._plan[self._played :]]
            raise RuntimeError(f"{type(self).__name__} ended without playing steps {missing}")
        super().tear_down()


class LessonScene(Narrated, Scene):
    """A 2D beat of the lesson."""


class LessonScene3D(Narrated, ThreeDScene):
    """A 3D beat of the lesson."""

    def pin_to_frame(self, mobject: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(mobject)
