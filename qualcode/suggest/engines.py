"""Suggestion engines by name: one small registry that ``suggest``, ``evaluate`` and the
benchmarks all go through.

Why a registry: whoever adds an engine ("hybrid", an engine of one's own) registers a factory
under a name and every command that takes ``--engine NAME`` can use it, without touching the
callers. An engine is any object with ``engine_name`` and
``suggest_texts(texts, batch_size=..., n_process=...)`` yielding, per text, a list of
:class:`qualcode.suggest.rules.Suggestion` (code, score 0-1, span within the text, evidence).
A factory receives an :class:`EngineContext` and returns the engine; it may raise
:class:`qualcode.errors.InputError` when the context lacks what it needs (the model engine needs
a project with a trained model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from qualcode.codebook.model import Codebook
from qualcode.errors import InputError, did_you_mean
from qualcode.language.nlp import get_nlp
from qualcode.store import Store
from qualcode.suggest.model import load_model_engine
from qualcode.suggest.rules import RuleEngine, Suggestion


class SuggestionEngine(Protocol):
    """What every engine offers (the rule engine and the model engine do)."""

    engine_name: str

    def suggest_texts(
        self, texts: Sequence[str], batch_size: int = 256, n_process: int = 1
    ) -> Iterator[list[Suggestion]]: ...


@dataclass
class EngineContext:
    """What a factory may use to build its engine.

    ``store`` is ``None`` outside a project (``qualcode evaluate --gold`` on a file of texts);
    ``coder`` picks whose trained model the model engine loads (default: the newest).
    """

    codebook: Codebook
    codes: str | None = None
    spacy_model: str = ""
    store: Store | None = None
    coder: str | None = None


EngineFactory = Callable[[EngineContext], Any]


def _rules(ctx: EngineContext) -> RuleEngine:
    return RuleEngine(ctx.codebook, get_nlp(ctx.spacy_model), ctx.codes)


def _model(ctx: EngineContext) -> Any:
    if ctx.store is None:
        raise InputError("the model engine needs a project with a trained model (`qualcode train --coder NAME`); "
                         "run inside the project or pass --project DIR")
    return load_model_engine(ctx.store, ctx.codebook, coder=ctx.coder, codes=ctx.codes)


_REGISTRY: dict[str, EngineFactory] = {"rules": _rules, "model": _model}


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make ``factory`` available as ``--engine name`` (a later registration of a name replaces it)."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"engine name {name!r}: use letters, digits, '-' or '_'")
    _REGISTRY[name] = factory


def engine_names() -> list[str]:
    """The registered engine names, built-in ones first."""
    return list(_REGISTRY)


def get_engine(
    name: str,
    codebook: Codebook,
    *,
    codes: str | None = None,
    spacy_model: str = "",
    store: Store | None = None,
    coder: str | None = None,
) -> Any:
    """The engine registered as ``name``, built for this codebook (and project, if any)."""
    factory = _REGISTRY.get(name)
    if factory is None:
        names = engine_names()
        raise InputError(f"unknown engine {name!r}; use one of {', '.join(names)}{did_you_mean(name, names)}")
    return factory(EngineContext(codebook, codes, spacy_model, store, coder))
