"""Background jobs of the evidence (django-tasks; the database backend in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_report_task(job_id: str) -> str:
    """Build a requested report file; returns its file name ("" if it failed cleanly)."""
    from iocompendium.evidence.services import run_report_job

    return run_report_job(job_id)
