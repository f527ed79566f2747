"""The API's request and response bodies (marshmallow schemas: they validate what comes in and
document, in the OpenAPI document, what goes out)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields as f, validate as v

from grantflow.api.spec import Cents, Id, InputSchema
from grantflow.applications.drafts import CATEGORY_MAX, LINE_TEXT_MAX, LONG_MAX, SUMMARY_MAX, TITLE_MAX
from grantflow.applications.models import DRAFT, SUBMITTED, WITHDRAWN
from grantflow.awards import models as M
from grantflow.awards.schedules import METHOD_KEYS
from grantflow.feedback.models import FINAL, INTERIM

Nullable = {"allow_none": True, "required": True}


def items_of(schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of a list answer, ``{"items": [...]}``, named after its item (ProgramList)."""
    return ma.Schema.from_dict({"items": f.List(f.Nested(schema), required=True)},
                               name=schema.__name__.replace("Schema", "ListSchema"))


def page_of(schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of a page of a cursor-paged list (grantflow/api/pages.py), named after its item
    (ApplicationPage)."""
    return ma.Schema.from_dict({
        "items": f.List(f.Nested(schema), required=True),
        "next_cursor": f.String(**Nullable, metadata={"description": "Pass as `cursor` for the next page; null on the last."}),
    }, name=schema.__name__.replace("Schema", "PageSchema"))


class PageArgsSchema(InputSchema):
    """Which page of a cursor-paged list."""

    cursor = f.String(validate=v.Length(max=40))
    limit = f.Integer(strict=False, validate=v.Range(min=1, max=100))


# --- programs ------------------------------------------------------------------------------------

class QuestionSchema(ma.Schema):
    key = f.String(required=True)
    label = f.String(required=True)
    kind = f.String(required=True)
    required = f.Boolean(required=True)
    help_text = f.String(required=True)
    options = f.List(f.Raw(), required=True)


class ProgramStaffSchema(ma.Schema):
    """What only the program's funder staff see."""

    status = f.String(required=True)
    budget_cents = f.Integer(required=True)
    blind_review = f.Boolean(required=True)
    reviewers_per_application = f.Integer(required=True)
    review_ends_at = f.DateTime(**Nullable)
    decisions_release_at = f.DateTime(**Nullable)


class ProgramSchema(ma.Schema):
    slug = f.String(required=True)
    title = f.String(required=True)
    description = f.String(required=True)
    funder = f.String(required=True, metadata={"description": "The funder's name."})
    timezone = f.String(required=True)
    opens_at = f.DateTime(**Nullable)
    closes_at = f.DateTime(**Nullable)
    min_award_cents = f.Integer(required=True)
    max_award_cents = f.Integer(required=True)
    contact_name = f.String(**Nullable)
    contact_email = f.String(**Nullable)
    questions = f.List(f.Nested(QuestionSchema), required=True)
    staff = f.Nested(ProgramStaffSchema, **Nullable,
                     metadata={"description": "Null unless you are staff of the program's funder."})


ProgramListSchema = items_of(ProgramSchema)


# --- applications ----------------------------------------------------------------------------------

class BudgetLineSchema(InputSchema):
    category = f.String(load_default="", validate=v.Length(max=CATEGORY_MAX))
    description = f.String(load_default="", validate=v.Length(max=LINE_TEXT_MAX))
    amount_cents = Cents(load_default=None, allow_none=True)


class OutcomeSchema(InputSchema):
    metric = f.String(load_default="", validate=v.Length(max=80))
    target = f.String(load_default="", validate=v.Length(max=LINE_TEXT_MAX))


class DraftSchema(InputSchema):
    """A draft's fields. A field left out keeps its stored value; one given replaces it."""

    title = f.String(validate=v.Length(max=TITLE_MAX))
    summary = f.String(validate=v.Length(max=SUMMARY_MAX))
    community_voice = f.String(validate=v.Length(max=LONG_MAX))
    amount_requested_cents = Cents(allow_none=True)
    need_ids = f.List(Id(), validate=v.Length(max=100))
    place_ids = f.List(Id(), validate=v.Length(max=500))
    budget = f.List(f.Nested(BudgetLineSchema), validate=v.Length(max=100))
    outcomes = f.List(f.Nested(OutcomeSchema), validate=v.Length(max=50))
    answers = f.Dict(keys=f.String(validate=v.Length(max=60)), values=f.Raw(allow_none=True),
                     metadata={"description": "Answers to the program's questions, by question key "
                                              "(file questions are answered on the web page)."})


class NewApplicationSchema(DraftSchema):
    program = f.String(required=True, validate=v.Length(min=1, max=80), metadata={"description": "The program's slug."})
    organization_id = Id(load_default=None, allow_none=True, metadata={
        "description": "The organization applying; needed when you are staff of several."})
    on_behalf_of_id = Id(load_default=None, allow_none=True, metadata={
        "description": "A network's member it applies for: only a member that accepted the network."})


class SubmitSchema(DraftSchema):
    """Submitting: the fields given are saved first, then the whole draft is checked."""


class OrganizationRefSchema(ma.Schema):
    id = f.Integer(required=True)
    name = f.String(required=True)


class ApplicationSchema(ma.Schema):
    id = f.Integer(required=True)
    program = f.String(required=True, metadata={"description": "The program's slug."})
    status = f.String(required=True, validate=v.OneOf([DRAFT, SUBMITTED, WITHDRAWN, "awarded", "declined"]))
    blind = f.Boolean(required=True, metadata={"description": "True when identity is withheld from you (blind review)."})
    organization = f.Nested(OrganizationRefSchema, **Nullable)
    on_behalf_of = f.Nested(OrganizationRefSchema, **Nullable)
    title = f.String(required=True)
    summary = f.String(required=True)
    community_voice = f.String(required=True)
    amount_requested_cents = f.Integer(**Nullable)
    need_ids = f.List(f.Integer(), required=True)
    place_ids = f.List(f.Integer(), required=True)
    budget = f.List(f.Nested(BudgetLineSchema), required=True)
    outcomes = f.List(f.Nested(OutcomeSchema), required=True)
    created_at = f.DateTime(required=True)
    submitted_at = f.DateTime(**Nullable)


ApplicationPageSchema = page_of(ApplicationSchema)


class ApplicationFilterSchema(PageArgsSchema):
    program = f.String(validate=v.Length(max=80), metadata={"description": "Only this program's (slug)."})
    status = f.String(validate=v.OneOf([DRAFT, SUBMITTED, WITHDRAWN]))


class DraftAnswersSchema(ma.Schema):
    answers = f.Dict(keys=f.String(), values=f.Raw(allow_none=True), required=True)
    problems = f.Dict(keys=f.String(), values=f.String(), required=True,
                      metadata={"description": "What a submission still needs, by field."})


class SaveResultSchema(ma.Schema):
    application = f.Nested(ApplicationSchema, required=True)
    problems = f.Dict(keys=f.String(), values=f.String(), required=True,
                      metadata={"description": "Fields that were not saved (their stored value stays), with why."})


# --- reviews, scores, decisions, letters -----------------------------------------------------------

class CriterionScoreSchema(ma.Schema):
    criterion_id = f.Integer(required=True)
    criterion = f.String(required=True)
    score = f.Integer(**Nullable)


class ReviewSchema(ma.Schema):
    id = f.Integer(required=True)
    application_id = f.Integer(required=True)
    status = f.String(required=True)
    comment_to_applicant = f.String(required=True)
    private_comment = f.String(required=True)
    scores = f.List(f.Nested(CriterionScoreSchema), required=True)
    submitted_at = f.DateTime(**Nullable)


ReviewListSchema = items_of(ReviewSchema)


class RuleOutcomeSchema(ma.Schema):
    rule = f.String(required=True)
    label = f.String(required=True)
    kind = f.String(required=True)
    status = f.String(required=True)
    weight = f.Float(required=True)
    points = f.Float(**Nullable)
    max_points = f.Float(**Nullable)
    contribution = f.Float(required=True, metadata={"description": "Points of the 0–100 total this rule gives."})
    explanation = f.String(required=True, metadata={
        "description": "How the rule reached its points, in the request's language (the token owner's saved "
                       "language, else Accept-Language)."})


class ScoreSchema(ma.Schema):
    """The application's score and, rule by rule, how it was reached."""

    application_id = f.Integer(required=True)
    standing = f.String(required=True)
    total = f.Float(**Nullable, metadata={"description": "0–100; null while ineligible or its merit part is not counted yet."})
    merit = f.Float(**Nullable)
    priority = f.Float(**Nullable)
    complete = f.Boolean(required=True)
    rules = f.List(f.Nested(RuleOutcomeSchema), required=True)


class DecisionSchema(ma.Schema):
    id = f.Integer(required=True)
    application_id = f.Integer(required=True)
    outcome = f.String(required=True)
    amount_cents = f.Integer(required=True)
    rationale = f.String(required=True)
    decided_at = f.DateTime(required=True)
    released = f.Boolean(required=True)


DecisionListSchema = items_of(DecisionSchema)


class LetterSchema(ma.Schema):
    id = f.Integer(required=True)
    decision_id = f.Integer(required=True)
    kind = f.String(required=True)
    issued_at = f.DateTime(required=True)
    sha256 = f.String(required=True)
    download = f.String(required=True, metadata={"description": "Path of the PDF."})


LetterListSchema = items_of(LetterSchema)


# --- awards: payment schedules, payments, reports ---------------------------------------------------

class InstalmentSchema(ma.Schema):
    id = f.Integer(required=True)
    number = f.Integer(required=True, metadata={"description": "Its place in the schedule (by due date), from 1."})
    amount_cents = f.Integer(required=True)
    due_on = f.Date(required=True)
    status = f.String(required=True, validate=v.OneOf([M.SCHEDULED, M.DUE, M.PAID, M.ON_HOLD, M.CANCELLED]),
                      metadata={"description": "`due` once its date has come and its condition is met."})
    condition = f.String(required=True, validate=v.OneOf(M.CONDITIONS),
                         metadata={"description": "What must happen before it is paid (empty: nothing)."})
    condition_text = f.String(required=True, metadata={"description": "The condition in words (empty without one)."})
    condition_met = f.Boolean(required=True)
    paid_on = f.Date(**Nullable)
    method = f.String(**Nullable, validate=v.OneOf(METHOD_KEYS),
                      metadata={"description": "How it was paid; null unless you are staff of the funder."})
    reference = f.String(**Nullable, metadata={"description": "The payment's reference; null unless you are staff."})
    reason = f.String(**Nullable, metadata={"description": "Why it is on hold or cancelled; null unless you are staff."})


class AwardReportSchema(ma.Schema):
    id = f.Integer(required=True)
    kind = f.String(required=True, validate=v.OneOf([INTERIM, FINAL]))
    title = f.String(required=True)
    due_on = f.Date(required=True)
    state = f.String(required=True, metadata={"description": "upcoming, due soon, overdue, awaiting review, "
                                                             "changes requested, accepted or conversation held."})
    submitted_at = f.DateTime(**Nullable)


class AwardStaffSchema(ma.Schema):
    """What only the funder's staff see of an award's schedule."""

    scheduled_cents = f.Integer(required=True, metadata={"description": "The instalments not cancelled."})
    paid_cents = f.Integer(required=True)
    problem = f.String(**Nullable, metadata={
        "description": "Why no payment can be recorded until the schedule is fixed; null when it adds up."})


class AwardSchema(ma.Schema):
    """An award (by its application's id): its payment schedule and its reports. The funder's
    staff see all of it; the grantee what its dashboard shows (payments still to come, reports
    still due), once the award is released."""

    application_id = f.Integer(required=True)
    program = f.String(required=True, metadata={"description": "The program's slug."})
    title = f.String(required=True)
    organization = f.Nested(OrganizationRefSchema, required=True)
    award_cents = f.Integer(required=True, metadata={"description": "0 once the decision is no longer an award."})
    instalments = f.List(f.Nested(InstalmentSchema), required=True)
    reports = f.List(f.Nested(AwardReportSchema), required=True)
    staff = f.Nested(AwardStaffSchema, **Nullable,
                     metadata={"description": "Null unless you are staff of the program's funder."})


AwardPageSchema = page_of(AwardSchema)


class AwardFilterSchema(PageArgsSchema):
    program = f.String(validate=v.Length(max=80), metadata={"description": "Only this program's (slug)."})


class PaymentSchema(InputSchema):
    """A payment made: the instalment is recorded as paid, in full."""

    paid_on = f.Date(required=True, metadata={"description": "The day it was paid (not in the future)."})
    method = f.String(required=True, validate=v.OneOf(METHOD_KEYS))
    reference = f.String(load_default="", validate=v.Length(max=120),
                         metadata={"description": "Your accounting system's reference, e.g. the transfer's number."})


class AuditSchema(ma.Schema):
    """The equity audit exactly as its JSON export (small groups suppressed the same way): see
    the audit page for what each part holds."""


