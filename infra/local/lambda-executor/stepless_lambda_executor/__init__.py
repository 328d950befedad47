"""A LocalStack Lambda runtime executor that runs Node.js handlers as host processes.

Selected with ``LAMBDA_RUNTIME_EXECUTOR=stepless-host``. See README.md next to pyproject.toml.
"""

__version__ = "0.1.0"
