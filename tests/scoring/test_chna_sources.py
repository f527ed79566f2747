"""Where the CHNA-alignment rule's weights came from: the evidence keeps the English words (a code
for the CSV and for comparing runs), the score page says them in the reader's language, and the
explanation names the same source."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from grantflow.facts import NeedFact, ProgramContext
from grantflow.scoring.views import evidence_filter
from plugins.chna_alignment import RULE as CHNA
from tests.scoring.facts import CTX, facts

WEIGHTED = ProgramContext(1, 1, {1: NeedFact(1, "Housing", 1, 1.0), 2: NeedFact(2, "Food", 2, 3.0)}, {})


@pytest.mark.parametrize("ctx, params, source, spanish, sentence", [
    (CTX, {"need_weights": {"1": 2}}, "the program's need weights", "los pesos de necesidades del programa",
     "weighted by the program's need weights."),
    (WEIGHTED, {}, "the CHNA's weights", "los pesos de la CHNA", "weighted by the CHNA's weights."),
    (CTX, {}, "the CHNA's ranking", "la clasificación de la CHNA", "weighted by the CHNA's ranking."),
])
def test_the_source_of_the_weights(app, ctx, params, source, spanish, sentence):
    clean, errors = CHNA.clean_params(params)
    assert errors == {}
    scored = CHNA.score(facts(need_ids=(1,)), ctx, clean)
    assert scored.evidence["source"] == source
    with force_locale("en"):
        assert str(scored.explanation).endswith(sentence)
        assert evidence_filter(source, "source", CHNA.evidence_words) == source
    with force_locale("es"):
        assert evidence_filter(source, "source", CHNA.evidence_words) == spanish
