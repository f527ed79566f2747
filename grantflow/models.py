"""Every model, imported once so that metadata (create_all, Alembic autogenerate) sees them all."""
from grantflow.accounts.models import Invitation, Membership, User  # noqa: F401
from grantflow.accounts.sessions import UserSession  # noqa: F401
from grantflow.api.models import ApiToken  # noqa: F401
from grantflow.applications.models import (  # noqa: F401
    Answer, Application, Attachment, BudgetLine, StatusChange, application_needs, application_places,
)
from grantflow.awards.models import AwardTerms, Instalment, ProgramAwardTerms, ReportReview  # noqa: F401
from grantflow.blind.models import AttachmentRelease, BlindDeclaration, BlindTerm, RedactedCopy  # noqa: F401
from grantflow.chna.models import Place, PriorityNeed  # noqa: F401
from grantflow.core.auditlog import AuditEvent  # noqa: F401
from grantflow.core.memo import DataGeneration  # noqa: F401
from grantflow.core.outbox import OutboxMessage  # noqa: F401
from grantflow.core.translations import ContentTranslation  # noqa: F401
from grantflow.decisions.models import Decision  # noqa: F401
from grantflow.equity.models import HistoricalClassification  # noqa: F401
from grantflow.feedback.models import (  # noqa: F401
    AdvisorRanking, ApplicantNote, BurdenSurvey, BurdenSurveyDone, ProgressReport, YouSaidWeDid,
)
from grantflow.letters.models import IssuedLetter, LetterBatch, LetterTemplate  # noqa: F401
from grantflow.organizations.models import (  # noqa: F401
    CommunityPractice, FeedbackLoop, LeadershipProfile, NetworkMembership, Organization,
)
from grantflow.programs.models import CustomQuestion, Criterion, Program, ProgramRule, Rubric  # noqa: F401
from grantflow.reviews.models import ConflictOfInterest, CriterionScore, Review, ReviewAssignment  # noqa: F401
from grantflow.scoring.models import ScoreResult, ScoreRun, ScoreTotal  # noqa: F401
from grantflow.webhooks.models import WebhookAttempt, WebhookEndpoint  # noqa: F401
