"""``python -m helpers.doctor``: run the doctor's checks from the command line."""

import sys

from . import main

sys.exit(main())
