"""Writes of the ground floor that are not about one app's data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.utils.module_loading import import_string
from django_tasks import TaskResult
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult


def task_result_retry(result: DBTaskResult) -> TaskResult[Any]:
    """Enqueue the same task again with the same arguments, to run now (a new result; the failed
    one stays for the record)."""
    task = import_string(result.task_path)
    if not isinstance(task, Task):
        raise SuspiciousOperation(f"{result.task_path} is not a task")
    task = task.using(
        priority=result.priority, queue_name=result.queue_name, backend=result.backend_name
    )
    arguments = result.args_kwargs
    return task.enqueue(*arguments["args"], **arguments["kwargs"])
