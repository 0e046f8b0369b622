"""Headless verbs of the command line (README, "Using it"), one module each.

Each module exposes ``configure(parser)`` and ``run(args) -> int``;
:mod:`stewardship.cli` lists them, with their help, in ``COMMANDS``.
"""
