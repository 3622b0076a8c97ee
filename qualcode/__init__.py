"""qualcode: terminal toolkit for qualitative interview research.

The one way in is :class:`qualcode.project.Project`: ``qualcode.Project.open(path)``.
"""

from __future__ import annotations

from qualcode.errors import QualcodeError
from qualcode.project import Project
from qualcode.version import __version__

__all__ = ["Project", "QualcodeError", "__version__"]
