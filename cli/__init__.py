"""The `tousu` command line: a thin front over the domain layer in models/."""
