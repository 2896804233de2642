"""``pacscan fix``: apply the ``fix`` clauses of failed findings to templates in place.

``plan`` turns findings into edit requests at document paths (or says why a finding is
left alone), keeping the ops ``targets`` says are for the resource's type; ``text_ops``
turns one request into exact text edits at the positions the loader records (``render``
writes new values in the file's own YAML or JSON layout, ``edits`` applies them), and
``apply`` edits each file, re-scans it in memory and writes it atomically. ``files`` does
that for every file of a scan, for ``pacscan fix`` and for the SARIF report's ``fixes``.
"""
