"""The spaCy pipeline qualcode uses: no downloads, Dutch lemmas, sentences.

Why a custom lemma component: spaCy's lookup lemmatizer is case-sensitive ("Controleren" at the
start of a sentence stays unlemmatised), and codebook lemma indicators are written in lower
case. We look up the lower-cased form in the same table from ``spacy-lookups-data`` and store
a lower-case lemma, so indicators match wherever the word stands. A trained Dutch pipeline
named in settings (``[spacy] model``) is used instead of ``spacy.blank("nl")`` when installed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")


@lru_cache(maxsize=4)
def lemma_table(lang: str = "nl") -> dict[str, str]:
    """The lookup lemma table shipped in spacy-lookups-data, as a plain ``str -> str`` dict.

    Read straight from the package's JSON (gzip) so a lookup is one dict access per token.
    """
    import gzip
    import json
    from importlib.resources import files

    try:
        raw = (files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise InputError(f"no lemma table for language {lang!r}: is spacy-lookups-data installed?") from None
    return json.loads(gzip.decompress(raw))


def _register_component() -> None:
    from spacy.language import Language

    if "qualcode_lemmas" in Language.factories:
        return

    @Language.factory("qualcode_lemmas", default_config={"lang": "nl"})
    def make_lemmas(nlp: Any, name: str, lang: str):  # noqa: ARG001
        from spacy.attrs import LEMMA, LOWER

        table = lemma_table(lang)
        strings = nlp.vocab.strings
        by_hash: dict[int, int] = {}  # lower-case hash -> lemma hash, filled as words are seen

        def set_lemmas(doc: Any) -> Any:
            # Arrays, not Token objects: creating a Token per word cost more than the lookup itself.
            if not len(doc):
                return doc
            lemmas = []
            for h in doc.to_array([LOWER]).tolist():
                lem = by_hash.get(h)
                if lem is None:
                    low = strings[h]
                    lem = by_hash[h] = strings.add(table.get(low, low))
                lemmas.append(lem)
            doc.from_array([LEMMA], np.array(lemmas, dtype=np.uint64).reshape(-1, 1))
            return doc

        return set_lemmas


@lru_cache(maxsize=4)
def get_nlp(model: str = "", lang: str = "nl") -> Any:
    """A pipeline with tokenizer, lower-case lookup lemmas and a sentencizer (cached per process)."""
    import spacy

    if model:
        try:
            nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
        except OSError:
            raise InputError(
                f"spaCy pipeline {model!r} (settings [spacy] model) is not installed; "
                "set model = \"\" to use the built-in blank Dutch pipeline"
            ) from None
        if "senter" not in nlp.pipe_names and "parser" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer")
        # worker processes rebuild the same pipeline by name (our attribute on spaCy's Language)
        nlp._qualcode_model = model  # type: ignore[attr-defined]
        return nlp
    _register_component()
    nlp = spacy.blank(lang)
    nlp.add_pipe("qualcode_lemmas", config={"lang": lang})
    nlp.add_pipe("sentencizer")
    nlp._qualcode_model = ""  # type: ignore[attr-defined]  # see above
    return nlp
