"""What must be set before letters are issued, said as one sentence: the missing items joined as
the reader's language joins a list."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from grantflow.letters import services
from grantflow.letters.render import AWARD, DECLINE, Head
from grantflow.letters.wording import Wording


@pytest.mark.parametrize("locale, joined", [("en", "award letter (on the letterhead page) and the title of Dana, who"),
                                            ("es", "de otorgamiento (en la página del membrete) y el cargo de Dana, que")])
def test_the_missing_items_are_joined_as_the_language_joins_them(app, locale, joined):
    head = Head(name="Riverside Health Foundation")
    wordings = [Wording(kind=AWARD, body="x"), Wording(kind=DECLINE, body="x", signatory_name="Dana")]
    with force_locale(locale), pytest.raises(services.LetterError) as err:
        services.check_ready(head, wordings)
    assert joined in str(err.value)
