"""PyInstaller entry point: the same ``main`` as the ``stewardship`` console script."""

from stewardship.cli import main

raise SystemExit(main())
