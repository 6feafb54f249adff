"""The nine beats, one scene per file. A beat imports the toolkit and the core, never another beat
(``tests/test_layers.py``), so editing one beat's file changes only that beat's cache key."""
