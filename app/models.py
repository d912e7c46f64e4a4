"""Every feature's models, imported together (for Alembic and the shell)."""


def import_all_models() -> None:
    import app.accounts.models
    import app.audit.models
    import app.auth.models
    import app.drafts.models
    import app.evidence.models
    import app.fieldwork.models
    import app.hypotheses.models
    import app.intake.models
    import app.intake.notices
    import app.messages.models
    import app.notes.models
    import app.notifications.models
    import app.resumable.models
    import app.reviews.models
    import app.search.models  # noqa: F401
