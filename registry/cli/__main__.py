"""`python -m registry.cli` is the `kerjasama` command."""

from registry.cli import main

raise SystemExit(main())
