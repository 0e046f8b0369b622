"""Headless verbs of the command line (DESIGN section 5), one module each.

Each module exposes ``configure(parser)`` and ``run(args) -> int``;
:mod:`stewardship.cli` lists them, with their help, in ``COMMANDS``.
"""
