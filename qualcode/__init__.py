"""qualcode: terminal toolkit for qualitative interview research.

The one way in is :class:`qualcode.project.Project`; it is imported lazily so that
``import qualcode`` (and ``qualcode --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Project", "QualcodeError", "__version__"]


def __getattr__(name: str):  # PEP 562: lazy attributes keep start-up cheap
    if name == "Project":
        from qualcode.project import Project

        return Project
    if name == "QualcodeError":
        from qualcode.errors import QualcodeError

        return QualcodeError
    raise AttributeError(name)
