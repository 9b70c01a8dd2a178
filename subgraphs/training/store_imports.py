"""Data functions for file import jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from subgraphs.training.models import ImportJob, utcnow

__all__ = ["import_jobs_by_ids", "insert_import_job", "update_import_job"]


async def import_jobs_by_ids(*, ids: Sequence[str]) -> list[ImportJob]:
    cursor = ImportJob.get_pymongo_collection().find({"_id": {"$in": list(ids)}})
    return [ImportJob.model_validate(doc) async for doc in cursor]


async def insert_import_job(*, job: ImportJob) -> ImportJob:
    """Inserts ``job``, or returns the owner's existing job for the same file."""
    collection = ImportJob.get_pymongo_collection()
    try:
        await collection.insert_one(job.model_dump(by_alias=True, exclude={"revision_id"}))
    except DuplicateKeyError:
        found = await collection.find_one({"owner_id": job.owner_id, "file_sha256": job.file_sha256})
        return ImportJob.model_validate(found)
    return job


async def update_import_job(*, job_id: str, **values: Any) -> ImportJob:
    doc = await ImportJob.get_pymongo_collection().find_one_and_update(
        {"_id": job_id}, {"$set": {**values, "updated_at": utcnow()}}, return_document=ReturnDocument.AFTER
    )
    return ImportJob.model_validate(doc)
