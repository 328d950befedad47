package stepless.ddblocal;

import java.lang.instrument.Instrumentation;

/**
 * A Java agent that does nothing.
 *
 * LocalStack starts DynamoDB Local with {@code -javaagent:<install dir>/ddb-local-loader-0.1.jar}, a patch it
 * normally downloads from its own artifact store (it lifts DynamoDB Local's limit of 20 global secondary indexes
 * per table). That store is out of reach here, and the JVM refuses to start when an agent jar is missing, so
 * {@code infra/local/dynamodb-local.ts} compiles this class into a jar of that name whose manifest names it as
 * {@code Premain-Class}. Consequence: DynamoDB Local keeps its default index limits.
 */
public final class StubAgent {
  private StubAgent() {}

  /** Called by the JVM before {@code main} when the jar is given with {@code -javaagent}. */
  public static void premain(String args, Instrumentation instrumentation) {
    // Intentionally empty.
  }

  /** Called when the agent is attached to a running JVM; also nothing to do. */
  public static void agentmain(String args, Instrumentation instrumentation) {
    // Intentionally empty.
  }
}
