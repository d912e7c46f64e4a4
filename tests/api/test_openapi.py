"""The served OpenAPI document: valid, generated from the code, complete."""

from __future__ import annotations

from openapi_spec_validator import validate

CONTRACT = {
    ("post", "/auth/token"),
    ("delete", "/auth/token"),
    ("get", "/me"),
    ("post", "/organisations"),
    ("get", "/organisations"),
    ("post", "/users"),
    ("get", "/users"),
    ("post", "/reviews"),
    ("get", "/reviews"),
    ("get", "/reviews/{review_id}"),
    ("patch", "/reviews/{review_id}"),
    # Joint working (issue 9): themes.
    ("post", "/reviews/{review_id}/themes"),
    ("get", "/reviews/{review_id}/themes"),
    ("patch", "/themes/{theme_id}"),
    ("delete", "/themes/{theme_id}"),
    # Notes and notifications.
    ("post", "/reviews/{review_id}/notes"),
    ("get", "/reviews/{review_id}/notes"),
    ("get", "/notes/{note_id}"),
    ("patch", "/notes/{note_id}"),
    ("get", "/notes/{note_id}/versions"),
    ("delete", "/notes/{note_id}"),
    ("get", "/me/notifications"),
    # Fieldwork.
    ("post", "/reviews/{review_id}/visits"),
    ("get", "/reviews/{review_id}/visits"),
    ("get", "/visits/{visit_id}"),
    ("patch", "/visits/{visit_id}"),
    ("delete", "/visits/{visit_id}"),
    ("post", "/visits/{visit_id}/sessions"),
    ("get", "/reviews/{review_id}/sessions"),
    ("get", "/sessions/{session_id}"),
    ("patch", "/sessions/{session_id}"),
    ("delete", "/sessions/{session_id}"),
    ("get", "/me/calendar.ics"),
    # Reading.
    ("get", "/reviews/{review_id}/reading"),
    ("get", "/evidence/{evidence_id}/readers"),
    # Hypotheses.
    ("post", "/reviews/{review_id}/hypotheses"),
    ("get", "/reviews/{review_id}/hypotheses"),
    ("get", "/hypotheses/{hypothesis_id}"),
    ("patch", "/hypotheses/{hypothesis_id}"),
    ("get", "/hypotheses/{hypothesis_id}/history"),
    ("put", "/hypotheses/{hypothesis_id}/evidence"),
    ("post", "/me/notifications/{notification_id}/read"),
    ("put", "/reviews/{review_id}/members/{user_id}"),
    ("get", "/reviews/{review_id}/members"),
    ("delete", "/reviews/{review_id}/members/{user_id}"),
    ("get", "/reviews/{review_id}/workspaces"),
    ("get", "/workspaces/{workspace_id}"),
    ("post", "/workspaces/{workspace_id}/evidence"),
    ("get", "/workspaces/{workspace_id}/evidence"),
    ("get", "/evidence/{evidence_id}"),
    ("get", "/evidence/{evidence_id}/content"),
    ("delete", "/evidence/{evidence_id}"),
    # Evidence intake (issue 4): request lists.
    ("post", "/workspaces/{workspace_id}/requests"),
    ("get", "/workspaces/{workspace_id}/requests"),
    ("post", "/reviews/{review_id}/requests"),
    ("get", "/requests/{request_id}"),
    ("post", "/requests/{request_id}/decision"),
    ("put", "/requests/{request_id}/assignees"),
    ("get", "/reviews/{review_id}/progress"),
    # Evidence metadata and versions (issue 4).
    ("patch", "/evidence/{evidence_id}"),
    ("post", "/evidence/{evidence_id}/versions"),
    ("get", "/evidence/{evidence_id}/versions"),
    # Bulk upload (issue 4): ZIP import.
    ("post", "/workspaces/{workspace_id}/imports"),
    # Resumable uploads (issue 4).
    ("post", "/workspaces/{workspace_id}/uploads"),
    ("put", "/uploads/{upload_id}/parts/{number}"),
    ("get", "/uploads/{upload_id}"),
    ("post", "/uploads/{upload_id}/complete"),
    ("delete", "/uploads/{upload_id}"),
    # Agreement (issue 10): drafts, versions, comments, approvals.
    ("post", "/reviews/{review_id}/drafts"),
    ("get", "/reviews/{review_id}/drafts"),
    ("get", "/drafts/{draft_id}"),
    ("patch", "/drafts/{draft_id}"),
    ("post", "/drafts/{draft_id}/versions"),
    ("get", "/drafts/{draft_id}/versions"),
    ("get", "/drafts/{draft_id}/versions/{number}"),
    ("get", "/drafts/{draft_id}/versions/{number}/content"),
    ("get", "/drafts/{draft_id}/diff"),
    ("post", "/drafts/{draft_id}/comments"),
    ("get", "/drafts/{draft_id}/comments"),
    ("patch", "/draft-comments/{comment_id}"),
    ("put", "/drafts/{draft_id}/approvals/{organisation_id}"),
    ("delete", "/drafts/{draft_id}/approvals/{organisation_id}"),
    # Feedback issued, and its factual-accuracy check.
    ("post", "/drafts/{draft_id}/issue"),
    ("post", "/drafts/{draft_id}/accuracy"),
    ("get", "/drafts/{draft_id}/accuracy"),
    # Headline messages.
    ("post", "/reviews/{review_id}/messages"),
    ("get", "/reviews/{review_id}/messages"),
    ("get", "/messages/{message_id}"),
    ("patch", "/messages/{message_id}"),
    ("put", "/messages/{message_id}/agreement"),
    ("delete", "/messages/{message_id}/agreement"),
    ("delete", "/messages/{message_id}"),
    # Publication and embargo.
    ("put", "/reviews/{review_id}/publication"),
    ("get", "/reviews/{review_id}/publication"),
    ("put", "/reviews/{review_id}/publication/agreement"),
    # Records (issue 11): the audit trail.
    ("get", "/reviews/{review_id}/audit"),
    ("get", "/audit"),
    # Trash.
    ("post", "/evidence/{evidence_id}/restore"),
    # Export.
    ("get", "/reviews/{review_id}/export"),
}


def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.get_json()


def test_document_is_valid_openapi(client) -> None:
    validate(spec(client))


def test_document_describes_the_whole_contract(client) -> None:
    document = spec(client)
    described = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert described == CONTRACT


def test_operations_have_schemas_and_security(client) -> None:
    document = spec(client)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"error"} == set(document["components"]["schemas"]["Error"]["properties"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "delete"}:
                continue
            assert operation.get("summary"), (method, path)
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    if "$ref" in answer:
                        name = answer["$ref"].rsplit("/", 1)[1]
                        answer = document["components"]["responses"][name]
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (
                        method,
                        path,
                    )
    token = document["paths"]["/api/v1/auth/token"]["post"]
    assert token["security"] == []
    upload = document["paths"]["/api/v1/workspaces/{workspace_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    item = document["components"]["schemas"]["Evidence"]["properties"]
    assert set(item) >= {
        "id", "workspace_id", "title", "description", "filename", "media_type",
        "size", "sha256", "uploaded_by", "uploaded_at",
    }  # fmt: skip


# Scripts and generated clients are built on these names (a generated
# client's functions are named after them): renaming one breaks them, so a
# change here is a breaking change of the API and needs a new version.
OPERATION_IDS = {
    ("post", "/auth/token"): "create_token",
    ("delete", "/auth/token"): "revoke_token",
    ("get", "/me"): "get_me",
    ("post", "/organisations"): "create_organisation",
    ("get", "/organisations"): "list_organisations",
    ("post", "/users"): "create_user",
    ("get", "/users"): "list_users",
    ("post", "/reviews"): "create_review",
    ("get", "/reviews"): "list_reviews",
    ("get", "/reviews/{review_id}"): "get_review",
    ("patch", "/reviews/{review_id}"): "update_review",
    ("post", "/reviews/{review_id}/themes"): "create_theme",
    ("get", "/reviews/{review_id}/themes"): "list_themes",
    ("patch", "/themes/{theme_id}"): "update_theme",
    ("delete", "/themes/{theme_id}"): "delete_theme",
    ("post", "/reviews/{review_id}/notes"): "create_note",
    ("get", "/reviews/{review_id}/notes"): "list_notes",
    ("get", "/notes/{note_id}"): "get_note",
    ("patch", "/notes/{note_id}"): "update_note",
    ("get", "/notes/{note_id}/versions"): "list_note_versions",
    ("delete", "/notes/{note_id}"): "delete_note",
    ("get", "/me/notifications"): "list_notifications",
    ("post", "/reviews/{review_id}/visits"): "create_visit",
    ("get", "/reviews/{review_id}/visits"): "list_visits",
    ("get", "/visits/{visit_id}"): "get_visit",
    ("patch", "/visits/{visit_id}"): "update_visit",
    ("delete", "/visits/{visit_id}"): "delete_visit",
    ("post", "/visits/{visit_id}/sessions"): "create_session",
    ("get", "/reviews/{review_id}/sessions"): "list_sessions",
    ("get", "/sessions/{session_id}"): "get_session",
    ("patch", "/sessions/{session_id}"): "update_session",
    ("delete", "/sessions/{session_id}"): "delete_session",
    ("get", "/me/calendar.ics"): "get_my_calendar",
    ("get", "/reviews/{review_id}/reading"): "get_reading",
    ("get", "/evidence/{evidence_id}/readers"): "list_evidence_readers",
    ("post", "/reviews/{review_id}/hypotheses"): "create_hypothesis",
    ("get", "/reviews/{review_id}/hypotheses"): "list_hypotheses",
    ("get", "/hypotheses/{hypothesis_id}"): "get_hypothesis",
    ("patch", "/hypotheses/{hypothesis_id}"): "update_hypothesis",
    ("get", "/hypotheses/{hypothesis_id}/history"): "get_hypothesis_history",
    ("put", "/hypotheses/{hypothesis_id}/evidence"): "set_hypothesis_evidence",
    ("post", "/me/notifications/{notification_id}/read"): "mark_notification_read",
    ("put", "/reviews/{review_id}/members/{user_id}"): "set_member_role",
    ("get", "/reviews/{review_id}/members"): "list_members",
    ("delete", "/reviews/{review_id}/members/{user_id}"): "remove_member",
    ("get", "/reviews/{review_id}/workspaces"): "list_workspaces",
    ("get", "/workspaces/{workspace_id}"): "get_workspace",
    ("post", "/workspaces/{workspace_id}/evidence"): "upload_evidence",
    ("get", "/workspaces/{workspace_id}/evidence"): "list_workspace_evidence",
    ("get", "/evidence/{evidence_id}"): "get_evidence",
    ("get", "/evidence/{evidence_id}/content"): "download_evidence",
    ("delete", "/evidence/{evidence_id}"): "withdraw_evidence",
    ("post", "/workspaces/{workspace_id}/requests"): "create_request",
    ("get", "/workspaces/{workspace_id}/requests"): "list_workspace_requests",
    ("post", "/reviews/{review_id}/requests"): "send_request_list",
    ("get", "/requests/{request_id}"): "get_request",
    ("post", "/requests/{request_id}/decision"): "decide_request",
    ("put", "/requests/{request_id}/assignees"): "set_request_assignees",
    ("get", "/reviews/{review_id}/progress"): "get_review_progress",
    ("patch", "/evidence/{evidence_id}"): "update_evidence",
    ("post", "/evidence/{evidence_id}/versions"): "add_evidence_version",
    ("get", "/evidence/{evidence_id}/versions"): "list_evidence_versions",
    ("post", "/workspaces/{workspace_id}/imports"): "import_evidence_zip",
    ("post", "/workspaces/{workspace_id}/uploads"): "start_upload",
    ("put", "/uploads/{upload_id}/parts/{number}"): "upload_part",
    ("get", "/uploads/{upload_id}"): "get_upload",
    ("post", "/uploads/{upload_id}/complete"): "complete_upload",
    ("delete", "/uploads/{upload_id}"): "cancel_upload",
    ("post", "/reviews/{review_id}/drafts"): "create_draft",
    ("get", "/reviews/{review_id}/drafts"): "list_drafts",
    ("get", "/drafts/{draft_id}"): "get_draft",
    ("patch", "/drafts/{draft_id}"): "update_draft",
    ("post", "/drafts/{draft_id}/versions"): "add_draft_version",
    ("get", "/drafts/{draft_id}/versions"): "list_draft_versions",
    ("get", "/drafts/{draft_id}/versions/{number}"): "get_draft_version",
    ("get", "/drafts/{draft_id}/versions/{number}/content"): "download_draft_version",
    ("get", "/drafts/{draft_id}/diff"): "diff_draft",
    ("post", "/drafts/{draft_id}/comments"): "comment_on_draft",
    ("get", "/drafts/{draft_id}/comments"): "list_draft_comments",
    ("patch", "/draft-comments/{comment_id}"): "resolve_draft_comment",
    ("put", "/drafts/{draft_id}/approvals/{organisation_id}"): "decide_on_draft",
    (
        "delete",
        "/drafts/{draft_id}/approvals/{organisation_id}",
    ): "withdraw_draft_decision",
    ("post", "/drafts/{draft_id}/issue"): "issue_feedback",
    ("post", "/drafts/{draft_id}/accuracy"): "comment_on_accuracy",
    ("get", "/drafts/{draft_id}/accuracy"): "list_accuracy_comments",
    ("post", "/reviews/{review_id}/messages"): "create_message",
    ("get", "/reviews/{review_id}/messages"): "list_messages",
    ("get", "/messages/{message_id}"): "get_message",
    ("patch", "/messages/{message_id}"): "update_message",
    ("put", "/messages/{message_id}/agreement"): "agree_message",
    ("delete", "/messages/{message_id}/agreement"): "withdraw_message_agreement",
    ("delete", "/messages/{message_id}"): "delete_message",
    ("put", "/reviews/{review_id}/publication"): "propose_publication",
    ("get", "/reviews/{review_id}/publication"): "get_publication",
    ("put", "/reviews/{review_id}/publication/agreement"): "agree_publication",
    ("get", "/reviews/{review_id}/audit"): "list_review_audit",
    ("get", "/audit"): "list_audit",
    ("post", "/evidence/{evidence_id}/restore"): "restore_evidence",
    ("get", "/reviews/{review_id}/export"): "export_review",
}

# Named request bodies, so generated models are EvidenceUpload, not
# PostApiV1WorkspacesWorkspaceIdEvidenceBody.
REQUEST_BODIES = {
    "create_token": "Credentials",
    "create_organisation": "NewOrganisation",
    "create_user": "NewUser",
    "create_review": "NewReview",
    "update_review": "ReviewChange",
    "create_theme": "NewTheme",
    "update_theme": "ThemeChange",
    "create_note": "NewNote",
    "update_note": "NoteChange",
    "create_visit": "NewVisit",
    "update_visit": "VisitChange",
    "create_session": "NewSession",
    "update_session": "SessionChange",
    "create_hypothesis": "NewHypothesis",
    "update_hypothesis": "HypothesisChange",
    "set_hypothesis_evidence": "HypothesisEvidence",
    "set_member_role": "Role",
    "upload_evidence": "EvidenceUpload",
    "update_evidence": "EvidenceChange",
    "add_evidence_version": "VersionUpload",
    "import_evidence_zip": "ZipImport",
    "create_request": "NewRequest",
    "send_request_list": "NewRequestList",
    "decide_request": "Decision",
    "set_request_assignees": "Assignees",
    "start_upload": "NewUpload",
    "upload_part": "UploadPart",
    "complete_upload": "Complete",
    "create_draft": "NewDraft",
    "update_draft": "DraftChange",
    # Text as JSON, or a document as a form.
    "add_draft_version": "DraftTextVersion | DraftFileVersion",
    "comment_on_draft": "NewDraftComment",
    "resolve_draft_comment": "DraftCommentChange",
    "decide_on_draft": "DraftDecision",
    "comment_on_accuracy": "NewAccuracyComment",
    "create_message": "NewHeadlineMessage",
    "update_message": "HeadlineMessageChange",
    "propose_publication": "PublicationProposal",
}


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path.removeprefix("/api/v1"), operation


def test_operation_ids_are_the_stable_ones(client) -> None:
    found = {(m, p): op["operationId"] for m, p, op in operations(spec(client))}
    assert found == OPERATION_IDS
    assert len(set(found.values())) == len(found)


def test_every_request_body_is_a_named_schema(client) -> None:
    document = spec(client)
    found = {}
    for _method, _path, operation in operations(document):
        if "requestBody" not in operation:
            continue
        names = []
        for content in operation["requestBody"]["content"].values():
            reference = content["schema"]["$ref"]
            name = reference.removeprefix("#/components/schemas/")
            assert name in document["components"]["schemas"], reference
            names.append(name)
        found[operation["operationId"]] = " | ".join(names)
    assert found == REQUEST_BODIES


def test_limits_the_api_enforces_are_stated(app, client) -> None:
    document = spec(client)
    schemas = document["components"]["schemas"]
    size = schemas["NewUpload"]["properties"]["size"]
    assert size["minimum"] == 1
    assert size["maximum"] == app.config["UPLOAD_MAX_BYTES"]
    assert "x-maximum-setting" not in size
    assert schemas["NewUpload"]["properties"]["sha256"]["pattern"]
    listing = document["paths"]["/api/v1/reviews"]["get"]["parameters"]
    limit = next(p for p in listing if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 200)
    cursor = next(p for p in listing if p["name"] == "cursor")["schema"]
    assert cursor["pattern"] and cursor["maxLength"]
    # Fields that can be null say so (an administrator has no organisation).
    organisation = schemas["User"]["properties"]["organisation_id"]
    assert organisation.get("nullable") is True or "null" in str(organisation)
    assert schemas["Review"]["properties"]["status"]["enum"]
