"""API of the document review and the nonconformity loop: the same selectors, permission helpers and
services as the pages. State, decision and status fields are read-only: they change through actions."""

from certflow.reviews.api.viewsets import CorrectiveActionViewSet, DocumentReviewViewSet, NonconformityViewSet

__all__ = ["CorrectiveActionViewSet", "DocumentReviewViewSet", "NonconformityViewSet"]
