"""``python -m gitplane`` runs the CLI."""

import sys

from gitplane.cli.main import main

sys.exit(main())
