"""``pacscan remediate``: bring live resources back into compliance.

``plan`` turns failed findings of a snapshot into changes (exact API calls and the
before-state, through the writers of ``scanner.aws.writers``) and skipped findings
with their reason; ``live`` reads a resource again through its collector; ``apply``
makes each change (re-read, drift check, EC2 ``DryRun``, calls, read back, re-evaluate)
and writes the ``journal``; ``undo`` plays a journal backwards.
"""
