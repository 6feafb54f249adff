"""Scenes that play a plan: each step is one narration line (subtitle), one section and one play."""

from __future__ import annotations

from dataclasses import dataclass

from manim import Animation, Scene, ThreeDScene

from gradcore import Lesson
from scenes.style import lesson

__all__ = ["LessonScene", "LessonScene3D", "Step"]


@dataclass(frozen=True)
class Step:
    """One step of a beat: ``seconds`` long (a multiple of 0.2 s), narrated by ``caption``."""

    key: str
    seconds: float
    caption: str

    def __post_init__(self) -> None:
        if self.seconds <= 0 or abs(self.seconds * 5 - round(self.seconds * 5)) > 1e-9:
            raise ValueError(f"step {self.key!r}: seconds must be a positive multiple of 0.2, got {self.seconds}")


class Narrated:
    """Mixin for a beat: ``plan(lesson)`` lists its steps; ``construct`` plays each with :meth:`step`.

    The plan is the single source of the beat's duration (``gradlesson list`` prints it), of its
    subtitles (``add_subcaption``) and of its sections (``--save_sections`` gives one clip per step).
    """

    @classmethod
    def plan(cls, lesson: Lesson) -> tuple[Step, ...]:
        raise NotImplementedError

    @classmethod
    def duration(cls, lesson: Lesson) -> float:
        return sum(step.seconds for step in cls.plan(lesson))

    def setup(self) -> None:
        super().setup()
        self.lesson = lesson()
        self._plan = self.plan(self.lesson)
        self._played = 0

    def step(self, key: str, *animations: Animation, **play_kwargs: object) -> None:
        """Play the plan's next step, which must be ``key``: its animations (or a wait) over its seconds."""
        if self._played >= len(self._plan) or self._plan[self._played].key != key:
            expected = self._plan[self._played].key if self._played < len(self._plan) else "nothing"
            raise RuntimeError(f"{type(self).__name__} played step {key!r} where its plan has {expected!r}")
        step = self._plan[self._played]
        self._played += 1
        self.next_section(f"{self._played:02d}_{key}")
        self.add_subcaption(step.caption, duration=step.seconds)
        if animations:
            self.play(*animations, run_time=step.seconds, **play_kwargs)
        else:
            self.wait(step.seconds)

    def tear_down(self) -> None:
        if self._played != len(self._plan):
            missing = [s.key for s in self._plan[self._played :]]
            raise RuntimeError(f"{type(self).__name__} ended without playing steps {missing}")
        super().tear_down()


class LessonScene(Narrated, Scene):
    """A 2D beat of the lesson."""


class LessonScene3D(Narrated, ThreeDScene):
    """A 3D beat of the lesson."""
