"""Every table, imported in one place for Alembic and the tests."""
from app.cohorts.models import Cohort, Enrollment  # noqa: F401
from app.core.db import Base  # noqa: F401
from app.course.models import ChecklistItem, ChecklistProgress, Module, Week  # noqa: F401
from app.labs.models import GradingJob, Lab, LabDraft, Submission  # noqa: F401
from app.users.models import ApiToken, User, UserSession  # noqa: F401
from app.quizzes.models import Quiz, QuizAnswer, QuizAttempt, QuizGradingJob, QuizQuestion  # noqa: F401
from app.dashboard.models import CohortDueDate, CohortPacing, Extension, GradebookExport, GradebookSettings, LabCheckFailure, LabProgress, StudentProgress, WeekProgress  # noqa: F401,E501
from app.notifications.models import Notification  # noqa: F401
from app.review.models import LabReviewSetting, RegradeItem, RegradeMessage, RegradeRequest, RegradeRun, ReviewItem, RubricItem, RubricMark, SavedComment, ScoreChange, SubmissionReview  # noqa: F401,E501
from app.similarity.models import SimilarityPair, SimilarityRun  # noqa: F401
