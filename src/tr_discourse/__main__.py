"""``python -m tr_discourse`` runs the command line."""

from .cli import main

raise SystemExit(main())
