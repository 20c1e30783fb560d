"""One module per `clearance` subcommand; each has `register(subparsers)` and a handler(args, settings)."""
