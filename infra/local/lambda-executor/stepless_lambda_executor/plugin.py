"""The plux plugin LocalStack discovers through the ``localstack.lambda.runtime_executor`` entry points.

Kept free of LocalStack imports at module level except the plugin base class, so that listing plugins
stays cheap; the executor itself is imported only when LocalStack selects this plugin.
"""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class StepLessHostExecutorPlugin(RuntimeExecutorPlugin):
    name = "stepless-host"

    def load(self, *args, **kwargs):
        from stepless_lambda_executor.executor import HostRuntimeExecutor

        return HostRuntimeExecutor
