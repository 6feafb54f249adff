"""Per-frame drawing cost of the rotating loss surface: manim's stock ``Surface`` vs :class:`FastSurface`.

Both draw the lesson's 32 × 32-face loss surface (same axes, extent and heights, same per-face viridis and
mesh) at the same output size along the same camera path (the scene's start view turning by ``TURN`` rad/s),
in one process, alternating ``--repeats`` times after a warm-up. Each frame is what a Scene does per frame in
the Cairo renderer: reset the pixel array to the background, then ``camera.capture_mobjects`` — no video is
written. Prints medians over the repeats:

    BENCH surface_stock_ms_per_frame <v> ms   (stock Surface, stock ThreeDCamera with its 3D shading)
    BENCH surface_fast_ms_per_frame <v> ms    (FastSurface, FastSurfaceCamera, shading baked in)
    BENCH surface_stock_over_fast <ratio> x

``--save DIR`` also writes the two pictures compared in the docs (``surface_stock.png``, ``surface_fast.png``):
one frame of each at the same view, both through the scene's ``DepthCamera`` so both get the scene's gentle
shading (the stock faces from the camera, the fast ones baked).

    python benchmarks/bench_surface.py [--frames 60] [--repeats 5] [--width 854 --height 480] [--save docs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from manim import ThreeDCamera, tempconfig

from gradcore import sse
from scenes.beats.surface import (
    START,
    TURN,
    DepthCamera,
    loss_surface,
    stock_loss_surface,
    surface_axes,
)
from scenes.toolkit.internals.fast_surface import FastSurfaceCamera
from scenes.toolkit.style import lesson


def surfaces() -> tuple[object, object]:
    """(stock Surface, FastSurface) of the lesson's loss grid; the light is the default ThreeDCamera's."""
    data, grid = lesson().dataset, lesson().surface
    axes = surface_axes(grid)
    light = ThreeDCamera().light_source.get_center()
    fast = loss_surface(axes, grid, light)
    stock = stock_loss_surface(axes, grid, lambda m, b: float(sse(data, m, b)))
    return stock, fast


def point(camera: ThreeDCamera, theta: float, view: dict[str, float] = START) -> None:
    camera.set_phi(view["phi"])
    camera.set_theta(theta)
    camera.set_zoom(view["zoom"])
    camera.set_focal_distance(view["focal_distance"])


def frame(camera: ThreeDCamera, mobject: object, theta: float) -> np.ndarray:
    """One frame, as a Scene draws it: background, then capture."""
    point(camera, theta)
    camera.reset()
    camera.capture_mobjects([mobject])
    return camera.pixel_array


def ms_per_frame(camera: ThreeDCamera, mobject: object, thetas: np.ndarray) -> float:
    start = time.perf_counter()
    for theta in thetas:
        frame(camera, mobject, theta)
    return (time.perf_counter() - start) / len(thetas) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames per run (default 60: 4 s at 15 fps)")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs of each (default 5)")
    parser.add_argument("--width", type=int, default=854)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=int, default=15, help="frame rate of the camera path (default 15)")
    parser.add_argument("--save", type=Path, help="folder for surface_stock.png and surface_fast.png")
    args = parser.parse_args(argv)

    settings = {
        "media_dir": tempfile.mkdtemp(prefix="bench_surface_"),
        "pixel_width": args.width,
        "pixel_height": args.height,
        "frame_rate": args.fps,
        "write_to_movie": False,
        "verbosity": "WARNING",
    }
    with tempconfig(settings):
        stock, fast = surfaces()
        thetas = START["theta"] + TURN * np.arange(args.frames) / args.fps
        runs = {"stock": (ThreeDCamera(), stock), "fast": (FastSurfaceCamera(), fast)}
        for camera, mobject in runs.values():  # warm-up
            ms_per_frame(camera, mobject, thetas[:5])
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, (camera, mobject) in runs.items():
                times[name].append(ms_per_frame(camera, mobject, thetas))
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, values in times.items():
            print(f"# {name}: " + " ".join(f"{v:.1f}" for v in values) + " ms/frame")
        print(f"# {len(fast.faces)} faces, {args.frames} frames x {args.repeats} repeats at {args.width}x{args.height}")
        print(f"BENCH surface_stock_ms_per_frame {medians['stock']:.1f} ms")
        print(f"BENCH surface_fast_ms_per_frame {medians['fast']:.1f} ms")
        print(f"BENCH surface_stock_over_fast {medians['stock'] / medians['fast']:.1f} x")

        if args.save is not None:
            from PIL import Image

            args.save.mkdir(parents=True, exist_ok=True)
            theta = START["theta"] + TURN * 2.5  # mid-rotation: the valley seen obliquely, walls on both sides
            for name, mobject in (("stock", stock), ("fast", fast)):
                camera = DepthCamera()
                image = Image.fromarray(frame(camera, mobject, theta)).convert("RGB")
                target = args.save / f"surface_{name}.png"
                image.save(target, optimize=True)
                print(f"# wrote {target} ({target.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
