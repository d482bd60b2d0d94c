"""``python -m voting.tally FILE --method ...``: see ``cli``."""

import sys

from .cli import main

sys.exit(main())
