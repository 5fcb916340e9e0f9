"""``python -m policyclean`` runs the command line, like the ``policyclean`` script."""

from .cli import main

raise SystemExit(main())
