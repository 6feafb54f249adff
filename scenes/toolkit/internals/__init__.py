"""Every place the lesson reaches into manim's private or undocumented API, checked against manim 0.22.0
(``MANIM_VERSION``), each named with its owner, a class or module of manim's (``Camera.display_funcs``). Nothing
outside this package touches them, or any other private name of manim's (``tests/test_layers.py``); each module's
parity test (``tests/test_live_number.py``, ``tests/test_fast_surface.py``) compares its pictures with stock
manim's and fails when an upgrade changes what it relies on.

``live_number`` — :class:`LiveNumber`, a ``DecimalNumber`` laid out with numpy every frame:
  ``DecimalNumber._get_num_string``, ``DecimalNumber._string_to_mob``, ``DecimalNumber._set_submobjects_from_number``
  (overridden), ``DecimalNumber._font_size``, ``DecimalNumber.initial_height``, ``DecimalNumber.digit_buff_per_font_unit``,
  ``DecimalNumber.edge_to_fix``, ``DecimalNumber.show_ellipsis``, ``DecimalNumber.include_background_rectangle`` (read),
  ``Mobject.submobjects`` (assigned).
``fast_surface`` — :class:`FastSurface` and :class:`FastSurfaceCamera`, a quad mesh in one cairo pass:
  ``Camera.type_or_raise`` (overridden), ``Camera.display_funcs`` (written: manim rebuilds it on every call),
  ``Camera.get_cairo_context``, ``Camera.cairo_line_width_multiple``, ``ThreeDCamera.transform_points_pre_display``.
``cameras`` — :class:`DepthCamera` and :func:`fix_axis_shading` for the 3D surface beat:
  ``Camera.get_mobjects_to_display`` (called past ``ThreeDCamera``'s override), ``ThreeDCamera.modified_rgbas``
  (overridden), ``VMobject.get_gradient_start_and_end_points`` (replaced per instance), ``NumberLine.pieces``
  (removed), ``Mobject.depth_anchor`` (the lesson's attribute on manim objects, set by :func:`anchor_depth` and read
  by :class:`DepthCamera`).
``frame_counter`` — :func:`counting_frames`, frames written so far, for ``gradlesson render``'s progress view:
  ``SceneFileWriter.write_frame`` (wrapped on the class while inside; both renderers call it per frame, a held
  frame once with ``repeat``). Checked by ``tests/test_progress.py``: the count equals the video's frames.
``cairo_paths`` — :func:`keep_cairo_paths`, called when this package is imported: a vmobject whose points did not
  change since the last frame has its cairo path replayed instead of rebuilt: ``Camera.set_cairo_context_path``
  (wrapped), ``Camera.transform_points_pre_display`` (called), ``VMobject.tolerance_for_point_equality`` (read).
  Checked by ``tests/test_cairo_paths.py``: frames of still, moving and empty vmobjects equal the stock camera's.
``svg_paths`` — :func:`share_parsed_svg_paths`, called when this package is imported: a copied glyph shares the
  parsed path it was made from instead of deep-copying it: ``VMobjectFromSVGPath.path_obj`` (read),
  ``VMobjectFromSVGPath.__deepcopy__`` (added). Checked by ``tests/test_svg_paths.py``: manim reads ``path_obj``
  only while making a glyph's points, and a copy's points and pictures are the stock copy's.
``tex_files`` — :func:`share_one_tex_folder`, called when this package is imported, so that processes can share
  one ``tex_dir``: MathTex and Tex compile a formula missing from it in a private folder (with manim's own
  ``tex_to_svg_file``) and rename its SVG into place, and every SVG is read from a private copy:
  ``tex_mobject.tex_to_svg_file`` (the name it imported, replaced), ``tex_file_writing.tex_hash`` (called: manim's
  name for a formula's files), ``config.tex_dir`` (set while compiling), ``SVGMobject.generate_mobject``
  (wrapped: it writes, reads and deletes ``<name>_.svg`` beside the file), ``SVGMobject.file_name`` (set while
  reading). Checked by ``tests/test_tex_files.py``: the SVG and its name are stock manim's, and two processes
  making one new formula at once each get it whole.
"""

from scenes.toolkit.internals.cairo_paths import keep_cairo_paths
from scenes.toolkit.internals.cameras import DepthCamera, anchor_depth, fix_axis_shading
from scenes.toolkit.internals.fast_surface import FastSurface, FastSurfaceCamera, draw_fast_surface, grid_faces, shade_faces
from scenes.toolkit.internals.frame_counter import counting_frames
from scenes.toolkit.internals.live_number import LiveNumber
from scenes.toolkit.internals.svg_paths import share_parsed_svg_paths
from scenes.toolkit.internals.tex_files import compile_apart, read_apart, share_one_tex_folder

MANIM_VERSION = "0.22.0"

keep_cairo_paths()
share_parsed_svg_paths()
share_one_tex_folder()

__all__ = [
    "MANIM_VERSION",
    "DepthCamera",
    "FastSurface",
    "FastSurfaceCamera",
    "LiveNumber",
    "anchor_depth",
    "compile_apart",
    "counting_frames",
    "draw_fast_surface",
    "fix_axis_shading",
    "grid_faces",
    "keep_cairo_paths",
    "read_apart",
    "shade_faces",
    "share_one_tex_folder",
    "share_parsed_svg_paths",
]
