"""What the audit pages call each action and each family of actions, in
English and Welsh. An action not named here is shown as its code."""

from __future__ import annotations

from app.core.i18n import _l

FAMILIES = {
    "auth": _l("Signing in and out"),
    "evidence": _l("Evidence"),
    "request": _l("Requests"),
    "member": _l("Members"),
    "note": _l("Notes"),
    "hypothesis": _l("Hypotheses"),
    "draft": _l("Drafts"),
    "message": _l("Headline messages"),
    "publication": _l("Publication"),
    "review": _l("The review"),
    "export": _l("Exports"),
    "retention": _l("Retention"),
    "organisation": _l("Organisations"),
    "user": _l("Users"),
}

ACTIONS = {
    "auth.sign_in": _l("Signed in"),
    "auth.sign_out": _l("Signed out"),
    "auth.sign_in_failed": _l("Failed to sign in"),
    "auth.token_created": _l("API token created"),
    "auth.token_revoked": _l("API token revoked"),
    "evidence.uploaded": _l("Evidence uploaded"),
    "evidence.version_added": _l("New version uploaded"),
    "evidence.viewed": _l("Evidence viewed"),
    "evidence.downloaded": _l("Evidence downloaded"),
    "evidence.updated": _l("Evidence details changed"),
    "evidence.withdrawn": _l("Evidence withdrawn"),
    "evidence.restored": _l("Evidence restored"),
    "request.created": _l("Request made"),
    "request.decided": _l("Request decided"),
    "request.assigned": _l("Request assigned"),
    "request.submitted": _l("Request answered"),
    "member.added": _l("Member added"),
    "member.role_changed": _l("Member's role changed"),
    "member.removed": _l("Member removed"),
    "note.created": _l("Note written"),
    "note.edited": _l("Note edited"),
    "note.deleted": _l("Note deleted"),
    "hypothesis.created": _l("Hypothesis added"),
    "hypothesis.changed": _l("Hypothesis changed"),
    "draft.created": _l("Draft started"),
    "draft.version_added": _l("Draft version added"),
    "draft.shared": _l("Draft shared"),
    "draft.decided": _l("Decision on a draft"),
    "draft.issued": _l("Feedback issued"),
    "message.created": _l("Headline message proposed"),
    "message.changed": _l("Headline message changed"),
    "message.agreed": _l("Headline message agreed"),
    "publication.set": _l("Publication date proposed"),
    "publication.agreed": _l("Publication date agreed"),
    "review.created": _l("Review created"),
    "review.updated": _l("Review changed"),
    "export.downloaded": _l("Export downloaded"),
    "retention.applied": _l("Files deleted under retention"),
    "organisation.created": _l("Organisation created"),
    "user.created": _l("User created"),
    "user.disabled": _l("User disabled"),
    "user.enabled": _l("User enabled"),
}


def action_label(action: str) -> str:
    label = ACTIONS.get(action)
    return str(label) if label is not None else action
