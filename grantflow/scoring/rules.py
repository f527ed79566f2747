"""The scoring-rule API that every rule, built-in or third-party, implements.

A rule turns one application's plain, frozen facts (`grantflow.facts`) into points out of a
maximum, with a plain-language explanation and the evidence it used. Rules are pure: the same
facts and parameters always give the same score, which is what makes a rescoring reproducible.
Parameters are typed (`Param`); their declarations are the single source of the defaults, of the
validation and of the configuration form (`forms/scoring.py`).

A rule returns `points=None` when it has nothing to judge (an application not yet reviewed, a
funder with no CHNA needs): the result is stored with status "no data" and left out of the total
rather than counted as zero, so it never looks like a low score.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import gettext as _

from grantflow.facts import ApplicationFacts, ProgramContext, each_distinct
from grantflow.scoring.explain import Text

PARAM_TYPES = ("int", "float", "bool", "choice", "mapping")
# What a parameter may point at: the funder's CHNA needs and places (by id) or the program's
# application questions (by key). The configuration form refuses references to none of them.
REFERENCES = ("need", "place", "question")
MERIT = "merit"
PRIORITY = "priority"


class ParamError(ValueError):
    """A parameter value a rule cannot use; the message (worded in the current language, the
    officer's at the configuration form) is shown at the form field."""


@dataclass(frozen=True)
class Param:
    """One typed parameter of a rule.

    `optional` numbers may be left blank (None), which a rule reads as "not used" — e.g. a POC-led
    definition that ignores senior staff. A `mapping` is `{str: float}` (e.g. need id → weight).
    `refers` (a `REFERENCES` key) says what the mapping's keys (or an int's value) point at: the
    configuration form refuses ids or keys that do not exist.
    """

    name: str
    type: str
    default: Any
    label: str = ""
    help: str = ""
    min: Optional[float] = None
    max: Optional[float] = None
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    refers: str = ""

    def __post_init__(self):
        if self.type not in PARAM_TYPES:
            raise ValueError(f"unknown parameter type {self.type!r} (one of {', '.join(PARAM_TYPES)})")
        if self.refers and (self.refers not in REFERENCES or self.type not in ("mapping", "int")):
            raise ValueError(f"refers must be one of {', '.join(REFERENCES)}, on a mapping or int parameter")

    def unknown_references(self, value: Any, known: dict[str, str]) -> Optional[str]:
        """The message for a clean value pointing at what does not exist (`known`: id or key →
        name of what exists), or None."""
        if not self.refers or value is None:
            return None
        refs = list(value) if self.type == "mapping" else [str(value)]
        missing = [r for r in refs if r not in known]
        if not missing:
            return None
        shown = sorted(known.items())[:8]
        listed = "; ".join(f"{k} = {name}" for k, name in shown)
        if len(known) > len(shown):
            listed = _("%(listed)s; and %(more)s more", listed=listed, more=len(known) - len(shown))
        return _unknown_message(self.refers, ", ".join(missing), listed)

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def _range(self, value: float) -> None:
        if self.min is not None and value < self.min:
            raise ParamError(_("%(param)s must be at least %(limit)s.", param=self.title, limit=_num(self.min)))
        if self.max is not None and value > self.max:
            raise ParamError(_("%(param)s must be at most %(limit)s.", param=self.title, limit=_num(self.max)))

    def validate(self, value: Any) -> Any:
        """The clean value, or `ParamError` with a message naming the parameter and the limit."""
        if value is None or value == "":
            if self.type == "mapping":
                return {}
            if self.optional:
                return None
            if self.type == "bool":
                return False
            raise ParamError(_("Enter a value for %(param)s.", param=str(self.title).lower()))
        if self.type == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on", "y")
            return bool(value)
        if self.type == "int":
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ParamError(_("%(param)s must be a whole number, like 10.", param=self.title)) from None
            if not math.isfinite(number) or number != int(number):
                raise ParamError(_("%(param)s must be a whole number, like 10.", param=self.title))
            self._range(number)
            return int(number)
        if self.type == "float":
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ParamError(_("%(param)s must be a number, like 0.5.", param=self.title)) from None
            if not math.isfinite(number):
                raise ParamError(_("%(param)s must be a number, like 0.5.", param=self.title))
            self._range(number)
            return number
        if self.type == "choice":
            allowed = [c for c, _label in self.choices]
            if value not in allowed:
                raise ParamError(_("Choose one of: %(choices)s.",
                                   choices=", ".join(str(label) for _code, label in self.choices)))
            return value
        # mapping
        if isinstance(value, str):
            value = parse_mapping(value, self.title)
        if not isinstance(value, dict):
            raise ParamError(_("%(param)s must be a list of “key = number” lines.", param=self.title))
        clean: dict[str, float] = {}
        for key, raw in value.items():
            try:
                number = float(raw)
            except (TypeError, ValueError):
                raise ParamError(_("The weight of %(key)s must be a number.", key=key)) from None
            if not math.isfinite(number):
                raise ParamError(_("The weight of %(key)s must be a number.", key=key))
            self._range(number)
            clean[str(key)] = number
        return dict(sorted(clean.items()))


def _unknown_message(refers: str, missing: str, listed: str) -> str:
    """Whole sentences per kind of reference (a language words "there is no …" by its noun)."""
    if refers == "need":
        return (_("There is no CHNA need %(missing)s. Use the ids or keys that exist (%(listed)s).",
                  missing=missing, listed=listed) if listed else
                _("There is no CHNA need %(missing)s. Use the ids or keys that exist (there is no CHNA need yet).",
                  missing=missing))
    if refers == "place":
        return (_("There is no place %(missing)s. Use the ids or keys that exist (%(listed)s).",
                  missing=missing, listed=listed) if listed else
                _("There is no place %(missing)s. Use the ids or keys that exist (there is no place yet).",
                  missing=missing))
    return (_("There is no application question %(missing)s. Use the ids or keys that exist (%(listed)s).",
              missing=missing, listed=listed) if listed else
            _("There is no application question %(missing)s. Use the ids or keys that exist "
              "(there is no application question yet).", missing=missing))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def parse_mapping(text: str, title: str = "Weights") -> dict[str, str]:
    """Parses lines of `key = value` (or `key: value`); blank lines are ignored."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        for sep in ("=", ":"):
            if sep in line:
                key, _sep, value = line.partition(sep)
                break
        else:
            raise ParamError(_("Line %(line)s of %(param)s needs the form “key = number”.", line=n,
                               param=str(title).lower()))
        key, value = key.strip(), value.strip()
        if not key or not value:
            raise ParamError(_("Line %(line)s of %(param)s needs the form “key = number”.", line=n,
                               param=str(title).lower()))
        out[key] = value
    return out


def format_mapping(mapping: dict) -> str:
    return "\n".join(f"{k} = {_num(float(v))}" for k, v in sorted((mapping or {}).items()))


@dataclass(frozen=True, slots=True)
class RuleScore:
    """What a rule says about one application. `points=None`: nothing to judge ("no data")."""

    points: Optional[float]
    max_points: float
    explanation: Text  # an `explain(...)` message (translated when shown), or a str shown as written
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """An extra application question a rule depends on (hook `grantflow_application_questions`).

    Saving a program's scoring configuration adds the questions of its enabled rules to the
    program's custom questions; the answers reach rules as `facts.extra[key]`.
    """

    key: str
    label: str
    kind: str = "single_choice"  # a programs.models.QUESTION_KINDS value
    help_text: str = ""
    options: tuple[str, ...] = ()
    required: bool = False


class ScoringRule:
    """Base class for rules. Subclasses set the class attributes and implement `score`.

    `kind` is MERIT for the reviewers' rubric and PRIORITY for the funder's priorities; the total
    keeps the two visible separately. `questions` names keys of `Question`s this rule reads from
    `facts.extra`. `version` must change whenever the scoring logic changes, since every stored
    result records it.
    """

    key: str = ""
    label: str = ""
    description: str = ""
    version: str = "1"
    kind: str = PRIORITY
    params: tuple[Param, ...] = ()
    questions: tuple[str, ...] = ()
    default_enabled: bool = False
    default_weight: float = 1.0
    # How the score page names the keys of `RuleScore.evidence` (lazy translations); a key not
    # named here is shown as written, its underscores as spaces. `evidence_words` names text values
    # a key may hold: {key: {value: words}}.
    evidence_labels: dict = {}
    evidence_words: dict = {}
    # The `ApplicationFacts` fields `score` reads, when they are all it reads besides the program's
    # context and the parameters. Applications alike in them (the same board counts, the same
    # places) are then scored once and share that result: of the demo's 50,000 applications, the
    # built-in rules meet 15 to 29,000 distinct profiles (15 sets of needs, 353 rubric results,
    # 2,663 leadership profiles). None: every application is scored. Inherited: a subclass whose
    # `score` reads more sets its own.
    reads: Optional[tuple[str, ...]] = None

    def score(self, facts: ApplicationFacts, ctx: ProgramContext, params: dict) -> RuleScore:
        raise NotImplementedError

    def score_many(self, facts: Sequence[ApplicationFacts], ctx: ProgramContext, params: dict) -> list[RuleScore]:
        """Every application's score, in the order of `facts` (what the engine calls). By default
        `score` of each distinct profile (`reads`); a rule with work that depends only on the
        program and its parameters (weights drawn from the CHNA, a threshold's text) overrides this
        to do that work once, with exactly `score`'s results. When it raises, the engine scores
        each application with `score`, so that only the applications that fail are errored."""
        score = self.score
        return self.each_distinct(facts, lambda f: score(f, ctx, params))

    def each_distinct(self, facts: Sequence[ApplicationFacts],
                      one: Callable[[ApplicationFacts], RuleScore]) -> list[RuleScore]:
        """`[one(f) for f in facts]`, calling `one` once per distinct combination of `reads` (the
        same `RuleScore` for the applications that share it: results are read, never changed)."""
        return each_distinct(facts, self.reads, one)

    # --- parameters ----------------------------------------------------------------------------
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def check(self, params: dict) -> dict[str, str]:
        """Cross-parameter checks: `{param name: message}`; override when parameters interact."""
        return {}

    def clean_params(self, raw: dict | None) -> tuple[dict, dict[str, str]]:
        """Validated parameters with defaults for anything missing, and `{name: message}` errors.
        Unknown keys are dropped, so a stored config from an older rule version still loads."""
        raw = raw or {}
        clean: dict = {}
        errors: dict[str, str] = {}
        for p in self.params:
            try:
                clean[p.name] = p.validate(raw[p.name]) if p.name in raw else p.validate(p.default)
            except ParamError as exc:
                errors[p.name] = str(exc)
        if not errors:
            errors.update(self.check(clean))
        return clean, errors

    def rubric_mode(self, params: dict) -> Optional[str]:
        """"raw" or "normalized" when this rule reads `facts.rubric` (the engine then loads the
        reviewers' scores once, that way); None when it does not."""
        return None

    def __repr__(self) -> str:
        return f"<ScoringRule {self.key} v{self.version}>"


def ratio(points: float, maximum: float) -> float:
    return 0.0 if maximum <= 0 else points / maximum


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def clamp(points: float, maximum: float) -> float:
    """Points rounded for storage, then kept within [0, maximum] (rounding must not exceed it)."""
    return max(0.0, min(float(maximum), round(points, 4)))
