"""The scoring configuration form, built from the rules' typed parameters.

One sub-form per rule (use it, weight, and a field per `Param`), so every message lands at the
field it is about and every typed value comes back as typed. `Param.validate` is the single
source of the messages; the rule's own cross-parameter `check` runs after the fields validate.
The same form drives the configuration page and the what-if sandbox.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, FormField, SelectField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import NumberInput

from forms.base import BaseForm
from forms.fields import FloatNumberField, MappingField
from grantflow.scoring.rules import Param, ParamError, ScoringRule, format_mapping

RESERVED = ("enabled", "weight")


def field_name(param: Param) -> str:
    return f"param_{param.name}" if param.name in RESERVED else param.name


def _param_validator(param: Param):
    def validate(form, field):
        if field.process_errors:
            raise StopValidation()
        try:
            param.validate(field.data)  # the form keeps what was typed; clean values come from params_of
        except ParamError as exc:
            raise ValidationError(str(exc)) from None

    return validate


def _weight_validator(form, field):
    if field.process_errors:
        raise StopValidation()
    if field.data is None:
        if form.enabled.data:
            raise ValidationError(_("Enter a weight for this rule, like 1."))
        field.data = 0.0
        return
    if field.data < 0 or field.data > 100:
        raise ValidationError(_("Weight must be between 0 and 100."))
    if form.enabled.data and field.data == 0:
        raise ValidationError(_("A rule in use needs a weight above 0 (or turn the rule off)."))


def param_field(param: Param):
    validators = [_param_validator(param)]
    kwargs = {"description": param.help, "validators": validators}
    if param.type == "bool":
        return BooleanField(param.title, **kwargs)
    if param.type == "choice":
        return SelectField(param.title, choices=list(param.choices), validate_choice=False, **kwargs)
    if param.type == "mapping":
        return MappingField(param.title, render_kw={"rows": 4}, **kwargs)
    step = "1" if param.type == "int" else "any"
    render = {"step": step}
    if param.min is not None:
        render["min"] = param.min
    if param.max is not None:
        render["max"] = param.max
    return FloatNumberField(param.title, title=param.title, whole=param.type == "int", widget=NumberInput(),
                       render_kw=render, **kwargs)


def rule_subform(rule: ScoringRule) -> type[Form]:
    attrs = {
        "enabled": BooleanField(_l("Use “%(rule)s” in the total", rule=rule.label)),
        "weight": FloatNumberField(_l("Weight"), title=_l("Weight"), widget=NumberInput(),
                                   render_kw={"step": "any", "min": 0, "max": 100},
                                   description=_l("How much this rule counts relative to the others (0–100)."),
                              validators=[_weight_validator]),
    }
    for p in rule.params:
        attrs[field_name(p)] = param_field(p)
    return type(f"RuleForm_{rule.key}", (Form,), attrs)


def form_values(params: dict, rule: ScoringRule) -> dict:
    values = {}
    for p in rule.params:
        v = params.get(p.name, p.default)
        values[field_name(p)] = format_mapping(v) if p.type == "mapping" else v
    return values


class ScoringConfigForm(BaseForm):
    """Fields are added per rule by `build_config_form`: `rule_<key>` sub-forms."""

    rule_keys: tuple[str, ...] = ()
    rules: dict = {}
    # What parameters may point at: {"need": {id: name}, "place": {...}, "question": {key: label}}.
    references: dict[str, dict[str, str]] = {}

    def subform(self, key: str):
        return self[f"rule_{key}"].form

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for key in self.rule_keys:
            sub = self.subform(key)
            if any(f.errors for f in sub):
                continue
            rule = self.rules[key]
            clean, errors = rule.clean_params(self.params_of(key))
            for p in rule.params:
                message = p.name not in errors and p.unknown_references(clean.get(p.name),
                                                                        self.references.get(p.refers, {}))
                if message:
                    errors[p.name] = message
            for name, message in errors.items():
                sub[field_name(next(p for p in rule.params if p.name == name))].errors.append(message)
                ok = False
        if ok and not any(self.subform(k).enabled.data for k in self.rule_keys):
            self.subform(self.rule_keys[0]).enabled.errors.append(_("Use at least one rule."))
            ok = False
        return ok

    def params_of(self, key: str) -> dict:
        sub, rule = self.subform(key), self.rules[key]
        return {p.name: sub[field_name(p)].data for p in rule.params}

    @property
    def flat_errors(self) -> list[tuple[str, str, str]]:
        """(field id, "Rule: field label", message) for the error summary."""
        out = []
        for key in self.rule_keys:
            sub = self.subform(key)
            for f in sub:
                for message in f.errors:
                    out.append((f.id, f"{self.rules[key].label}: {f.label.text}", message))
        return out


def build_config_form(configs, references: dict | None = None, **kwargs) -> ScoringConfigForm:
    """A form for these `RuleConfig`s (engine.program_config), pre-filled with their values;
    `references` is what their parameters may point at (scoring.services.references)."""
    attrs = {"rule_keys": tuple(c.key for c in configs), "rules": {c.key: c.rule for c in configs},
             "references": references or {}}
    for c in configs:
        attrs[f"rule_{c.key}"] = FormField(rule_subform(c.rule), label=c.rule.label, raw=True)
    cls = type("ScoringConfigFormBound", (ScoringConfigForm,), attrs)
    data = {f"rule_{c.key}": {"enabled": c.enabled, "weight": c.weight, **form_values(c.params, c.rule)}
            for c in configs}
    return cls(data=data, **kwargs)


def typed_configs(form: ScoringConfigForm, configs):
    """The rules as typed, even unsaved or invalid (a weight that does not parse counts as 0): for
    showing the shares of the total beside the form."""
    from dataclasses import replace

    out = []
    for c in configs:
        sub = form.subform(c.key)
        weight = sub.weight.data if isinstance(sub.weight.data, (int, float)) else 0.0
        out.append(replace(c, enabled=bool(sub.enabled.data), weight=max(0.0, float(weight or 0.0))))
    return out


def configs_from_form(form: ScoringConfigForm, configs):
    """New `RuleConfig`s from a validated form."""
    from grantflow.scoring.engine import RuleConfig

    out = []
    for c in configs:
        sub = form.subform(c.key)
        params, _ = c.rule.clean_params(form.params_of(c.key))
        out.append(RuleConfig(c.key, c.rule, bool(sub.enabled.data), float(sub.weight.data or 0.0), params))
    return out
