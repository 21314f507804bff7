"""Rules that need no session: the vocabulary, months and periods, the rating
formula, rounding, the scrubber, filters, the derived columns of a complaint, and
spreadsheet cells that cannot run as formulas.
"""
