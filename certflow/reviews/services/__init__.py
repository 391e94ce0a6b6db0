"""Every write of the document review and the nonconformity loop. Import from here.

`review` holds the document review's own steps; `nonconformities` the loop every stage shares.
"""

from certflow.reviews.services.nonconformities import (
    corrective_action_accept,
    corrective_action_accept_plan,
    corrective_action_return,
    corrective_action_submit,
    nonconformity_raise,
    verifier_id,
)
from certflow.reviews.services.review import (
    checklist_record,
    review_assign,
    review_complete,
    review_pass,
    review_reassign,
)

__all__ = [
    "checklist_record",
    "corrective_action_accept",
    "corrective_action_accept_plan",
    "corrective_action_return",
    "corrective_action_submit",
    "nonconformity_raise",
    "review_assign",
    "review_complete",
    "review_pass",
    "review_reassign",
    "verifier_id",
]
