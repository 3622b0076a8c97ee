"""Heavy third-party libraries imported on first use.

Why: every command module imports the library at its top, so ``qualcode --help`` loads all of
qualcode; numerical libraries (numpy and what it pulls in) would double its start-up time. A
module that needs numpy writes ``np = lazy_import("numpy")`` and the import happens at the first
``np.something``. (Libraries used in one place, such as pandas or spaCy, are imported inside
the function that needs them instead.) So that mypy sees numpy's types, such a module writes::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = lazy_import("numpy")
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """``name`` as a module object that is executed at its first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
