"""Storage: SQLAlchemy 2 models and the operations on them. Imports neither Flask nor Kafka."""
from models.alert_rules import AlertRule, AlertRuleChange
from models.alerts import Alert
from models.audit import PublishAudit
from models.audit_log import AuditEntry
from models.base import Base
from models.container import Container, ContainerVisit
from models.dead_letter_replays import DeadLetterReplay
from models.event import DeclarationContainer, StoredEvent, VoyageContainer
from models.figure_days import FigureDay, FigureDayValues, FigureDirtyDay
from models.login_session import LoginSession
from models.milestones import VisitMilestones
from models.step_days import StepDayValues
from models.user import ApiToken, LoginFailure, User
from models import overdue  # noqa: E402,F401 - its indexes of open steps on visit_milestones

__all__ = ["Alert", "AlertRule", "AlertRuleChange",
           "ApiToken", "AuditEntry", "Base", "Container", "ContainerVisit", "DeadLetterReplay", "DeclarationContainer",
           "FigureDay", "FigureDayValues",
           "FigureDirtyDay", "LoginFailure",
           "LoginSession", "PublishAudit", "StepDayValues", "StoredEvent", "User", "VisitMilestones", "VoyageContainer"]
