"""What the beats share: the palette and number style (``style``), axes and other builders (``builders``),
the (m, b) plane (``planes``), narration and timing (``narration``), the fast 3D surface (``fast_surface``)
and every touch of manim's private API (``internals``)."""
