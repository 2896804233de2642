"""``pacscan fix``: apply the ``fix`` clauses of failed findings to templates in place.

``plan`` turns findings into edit requests at source paths (or says why a finding cannot
be fixed), ``text_ops`` turns one request into exact text edits at the positions the
loader records (``yaml_edit`` and ``json_edit`` know each format's layout), and
``apply`` edits each file, re-scans it in memory and writes it atomically.
"""
