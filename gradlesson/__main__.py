"""``python -m gradlesson``."""

import sys

from gradlesson.cli import main

sys.exit(main())
