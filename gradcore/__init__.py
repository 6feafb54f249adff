"""gradcore: the numbers behind the "Introduction to gradients" lesson (pure numpy, no manim)."""

from __future__ import annotations

from gradcore.dataset import Dataset, DatasetSpec, make_dataset
from gradcore.functions import SEED_FUNCTIONS, Function1D, FunctionCurve, sample_function
from gradcore.lesson import Lesson, LessonConfig, build_lesson
from gradcore.loss import (
    GradientField,
    LossGrid,
    Moments,
    Optimum,
    gradient_field,
    loss_landscape,
    moments,
    optimum,
    predict,
    sse,
    sse_grad,
)
from gradcore.optimizers import DivergenceError, Optimizer, Trajectory, gradient_descent, run

__all__ = [
    "SEED_FUNCTIONS",
    "Dataset",
    "DatasetSpec",
    "DivergenceError",
    "Function1D",
    "FunctionCurve",
    "GradientField",
    "Lesson",
    "LessonConfig",
    "LossGrid",
    "Moments",
    "Optimizer",
    "Optimum",
    "Trajectory",
    "build_lesson",
    "gradient_descent",
    "gradient_field",
    "loss_landscape",
    "make_dataset",
    "moments",
    "optimum",
    "predict",
    "run",
    "sample_function",
    "sse",
    "sse_grad",
]
