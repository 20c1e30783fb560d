"""Storage: SQLAlchemy 2 models and the operations on them. Imports neither Flask nor Kafka."""
from models.base import Base
from models.container import Container, ContainerVisit
from models.event import DeclarationContainer, StoredEvent, VoyageContainer
from models.login_session import LoginSession
from models.milestones import VisitMilestones
from models.user import ApiToken, LoginFailure, User

__all__ = ["ApiToken", "Base", "Container", "ContainerVisit", "DeclarationContainer", "LoginFailure",
           "LoginSession", "StoredEvent", "User", "VisitMilestones", "VoyageContainer"]
