"""Rules that need no session: the vocabulary, months and periods, the rating
formula, rounding, the scrubber, filters and the derived columns of a complaint.
"""
