"""Errors meant for the person using Tousu, not for a traceback."""


class TousuError(Exception):
    """A problem caused by input or state the user can fix; the message says how."""


class NotFound(TousuError):
    """A named thing (platform, complaint, user …) does not exist."""


class UnknownName(NotFound):
    """A filter names a sector, platform or province that does not exist; the message lists
    the known names. The command line exits 2 for it, as for any other wrong argument."""


class Conflict(TousuError):
    """Someone else saved the thing (a complaint, an account) after it was opened;
    nothing was overwritten. The message says who changed what."""
