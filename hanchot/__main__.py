"""``python -m hanchot`` runs the command line."""

from hanchot.cli import main

raise SystemExit(main())
